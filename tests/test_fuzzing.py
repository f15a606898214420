"""Property-based tests (hypothesis): every public URL and parameter, HTML and open data, driven
with random unicode, control characters, null bytes, overlong values, invalid UTF-8, SQL and
tsquery syntax. The answer is always the documented one: 200, or 400 naming a bad parameter
for lists, 404 for an unknown entry; never a server error (the test client re-raises any
exception a view lets escape). What open data answers with 200 is read back as its format
(XML, JSON, iCalendar, CSV, XLSX, the SVG maps in a page), and the same writers are driven with
random stored text, control characters included, as an editor's paste or an import could
leave it in the database.

About 550 requests in all; examples are derandomised so that CI runs the same ones.
"""

import csv
import io
import json
import re
from datetime import timedelta
from urllib.parse import quote, quote_from_bytes
from xml.etree import ElementTree

import icalendar
import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from municipalities.filters import MunicipalityFilterSet
from municipalities.models import Municipality
from programmes.filters import ProgrammeFilterSet
from programmes.models import ApplicationWindow, FundingBody, Participation, Programme, Topic
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)
from tests.outlines import import_outlines

pytestmark = pytest.mark.django_db

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every filter the lists accept, read off the FilterSets: a new filter is fuzzed without edits.
PROGRAMME_PARAMETERS = [*ProgrammeFilterSet.base_filters, "page"]
MUNICIPALITY_PARAMETERS = [*MunicipalityFilterSet.base_filters, "page"]

SQL_AND_TSQUERY = [
    "' OR '1'='1",
    "'; DROP TABLE programmes_programme; --",
    "1; SELECT pg_sleep(10)",
    "\\",
    "''",
    "%",
    "_",
    "foo:*",
    "a & | !b",
    "!!a",
    "((((a",
    "a <-> b",
    "a <2> b",
    "a:*:*B",
    "!(a|b)&c",
    "'\\''",
    '"unbalanced',
    "-",
    "OR",
    "*",
]
NUMBERS_AND_DATES = [
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "٣",  # Arabic-Indic digit three: int() accepts it
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "2025-13-01",
    "1.5",
    " 2 ",
]
NASTY = st.sampled_from(
    SQL_AND_TSQUERY + NUMBERS_AND_DATES + ["\x00", "a\x00b", "\u202e", "\ufeff"]
)
VALUES = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(max_codepoint=0x1F), max_size=8),  # control characters, NUL
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.text(st.sampled_from("aäß€𝔘 '&|!:*()<>-"), min_size=2000, max_size=4000),  # overlong
    NASTY,
)


def query_string(pairs) -> str:
    return "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in pairs)


def parameters(names):
    return st.lists(st.tuples(st.sampled_from(names), VALUES), min_size=1, max_size=3)


@pytest.fixture
def catalogue():
    places = make_nrw_chain()
    topic = make_topic("Stadtentwicklung")
    principle = make_principle("Orte der Begegnung stärken")
    programme = make_programme(
        "Bürgerhäuser im Quartier",
        topics=[topic],
        target_groups=[make_target_group("Gemeinden")],
        funding_body=make_funding_body("Ministerium für Heimat", short_name="MHKBD"),
        region=places["nrw"],
    )
    programme.principles.add(principle)
    add_participation(programme, places["wuppertal"], role="leitkommune")
    return places


@pytest.fixture
def fuzz_client():
    return Client()


def get(client, path: str):
    response = client.get(path)
    if response.status_code == 302:  # a list's address with empty values: the same without them
        tidy = response["Location"]
        assert tidy.split("?")[0] == path.split("?")[0], (path, tidy)
        assert not re.search(r"=(&|$)", tidy), (path, tidy)
        response = client.get(tidy)
    # Streaming answers (exports, calendars) must also be produced to the end.
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def assert_well_formed(path: str, content: bytes) -> None:
    """The answer reads back as what it claims to be."""
    address = path.split("?")[0]
    if address.endswith(".xlsx"):
        assert list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    elif address.endswith(".ics"):
        assert icalendar.Calendar.from_ical(content), path
    elif address.endswith(".xml") or address == "/programme/feed/":
        ElementTree.fromstring(content)
    elif address.startswith("/api/") or address.endswith(".jsonld"):
        json.loads(content)
    elif address.endswith(".csv"):
        assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))), path
    else:  # an HTML page: its maps are inline SVG, which must stay XML
        for svg in re.findall(r"<svg xmlns=.*?</svg>", content.decode(), re.S):
            ElementTree.fromstring(svg)


@settings(FUZZ, max_examples=80)
@given(pairs=parameters(PROGRAMME_PARAMETERS))
@example(pairs=[("q", "\x00")])
@example(pairs=[("page", "٣")])
@example(pairs=[("q", "a" * 10_000), ("sort", "relevance")])
def test_programme_list_answers_200_or_400(fuzz_client, catalogue, pairs):
    response = get(fuzz_client, "/programme/?" + query_string(pairs))
    assert response.status_code in (200, 400), (pairs, response.status_code)
    if response.status_code == 400:
        assert "Ungültig" in response.content.decode() or "„" in response.content.decode()


@settings(FUZZ, max_examples=40)
@given(pairs=parameters(MUNICIPALITY_PARAMETERS))
@example(pairs=[("region", "\x00")])
def test_municipality_list_answers_200_or_400(fuzz_client, catalogue, pairs):
    response = get(fuzz_client, "/kommunen/?" + query_string(pairs))
    assert response.status_code in (200, 400), (pairs, response.status_code)


OPEN_DATA_LISTS = {
    "/api/v1/programmes/": PROGRAMME_PARAMETERS,
    "/api/v1/municipalities/": MUNICIPALITY_PARAMETERS,
    "/programme/export.csv": [*PROGRAMME_PARAMETERS, "delimiter"],
    "/programme/export.xlsx": PROGRAMME_PARAMETERS,
    "/programme/feed/": PROGRAMME_PARAMETERS,
    "/programme/fristen.ics": PROGRAMME_PARAMETERS,
    "/programme/burgerhauser-im-quartier/fristen.ics": ["q"],
    "/api/v1/programmes/burgerhauser-im-quartier/": ["q"],
    "/api/v1/municipalities/05124000/": ["q"],
    "/api/v1/topics/": ["page"],
    "/api/v1/principles/": ["page"],
    "/themen/stadtentwicklung/": ["page"],
    "/leitbild/orte-der-begegnung-starken/": ["page"],
    "/": ["q", "page"],
    # Sitemaps are paged by "p"; a page that does not exist is not found.
    "/sitemap.xml": ["p"],
    "/sitemap-programme.xml": ["p"],
    "/sitemap-kommunen.xml": ["p"],
    "/opendata/dcat.jsonld": ["q"],
}
OPEN_DATA_CASES = st.sampled_from(sorted(OPEN_DATA_LISTS)).flatmap(
    lambda path: st.tuples(st.just(path), parameters(OPEN_DATA_LISTS[path]))
)


@settings(FUZZ, max_examples=120)
@given(case=OPEN_DATA_CASES)
@example(case=("/programme/feed/", [("q", "Bürger\x0bhaus")]))
@example(case=("/programme/feed/", [("q", "\ufffe\uffff")]))  # XML cannot carry either
@example(case=("/programme/fristen.ics", [("q", "\x01"), ("topic", "\x1f")]))
@example(case=("/programme/export.csv", [("delimiter", "\x0b"), ("q", "\x7f")]))
@example(case=("/programme/export.xlsx", [("q", "a\x0c"), ("sort", "\x00")]))
@example(case=("/api/v1/programmes/", [("q", "\x1b[2J"), ("page", "\x0b")]))
@example(case=("/sitemap-programme.xml", [("p", "\x0b")]))
def test_open_data_and_paged_pages_answer_200_or_400(fuzz_client, catalogue, case):
    path, pairs = case
    response = get(fuzz_client, f"{path}?{query_string(pairs)}")
    expected = (200, 404) if path.startswith("/sitemap") else (200, 400)
    assert response.status_code in expected, (path, pairs, response.status_code)
    if response.status_code == 200:
        assert_well_formed(path, response.body)
    if path.startswith("/api/") and response.status_code == 400:
        assert response.json()["errors"]


# Stored text: anything PostgreSQL keeps (no NUL, no surrogates), control characters included.
STORED_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
STORED_TEXT = st.one_of(
    st.text(STORED_CHARACTERS, min_size=1, max_size=40),
    st.text(st.characters(min_codepoint=1, max_codepoint=0x1F), min_size=1, max_size=8),
    st.text(st.sampled_from("a\x0b\x0c\x1b\x7f\x85\u2028\ufffe\uffff&<>\"'\\;,"), min_size=1,
            max_size=12),
)  # fmt: skip
WRITERS = [
    "/programme/feed/?status=open&status=closed",
    "/programme/fristen.ics",
    "/programme/burgerhauser-im-quartier/fristen.ics",
    "/programme/export.csv?delimiter=semicolon",
    "/programme/export.xlsx",
    "/api/v1/programmes/burgerhauser-im-quartier/",
    "/api/v1/municipalities/05124000/",
    "/sitemap-programme.xml",
    "/opendata/dcat.jsonld",
    "/programme/burgerhauser-im-quartier/",  # JSON-LD and the participants' map
    "/kommunen/",  # the map of programmes per Kreis
]


@pytest.fixture
def drawn_catalogue(catalogue, tmp_path, today):
    """The catalogue with outlines, so pages draw their maps, and a deadline for calendars."""
    import_outlines(tmp_path)
    programme = Programme.objects.get()
    ApplicationWindow.objects.create(programme=programme, closes=today + timedelta(days=9))
    add_participation(programme, catalogue["iserlohn"])
    return catalogue


@settings(FUZZ, max_examples=20)
@given(text=STORED_TEXT)
@example(text="Bürger\x0bhaus\x0c\x01\x1f\x7f\ufffe Ende")
@example(text="=cmd|' /C calc'!A0\r\n@SUM(1)")
def test_stored_text_never_breaks_a_writer(fuzz_client, drawn_catalogue, text):
    # Written past every form and save(), as SQL or an old import could leave it.
    Programme.objects.update(title=text, short_name=text, summary=text, description=text)
    Topic.objects.update(name=text)
    FundingBody.objects.update(name=text, short_name=text)
    ApplicationWindow.objects.update(note=text)
    Participation.objects.update(round=text, note=text)
    Municipality.objects.update(name=text)  # the base maps are read again when `updated` moves
    Municipality.objects.filter(key="05").first().save(update_fields=["updated"])
    for path in WRITERS:
        response = get(fuzz_client, path)
        assert response.status_code == 200, (path, text, response.status_code)
        assert_well_formed(path, response.body)


DETAILS = [
    "/programme/{}/",
    "/programme/{}/fristen.ics",
    "/kommunen/{}/",
    "/leitbild/{}/",
    "/themen/{}/",
    "/api/v1/programmes/{}/",
    "/api/v1/municipalities/{}/",
    "/api/v1/principles/{}/",
    "/api/v1/frameworks/{}/",
    "/api/v1/topics/{}/",
    "/api/v1/target-groups/{}/",
    "/api/v1/funders/{}/",
    "/api/v1/{}/",
    "/sitemap-{}.xml",
]


@settings(FUZZ, max_examples=60)
@given(template=st.sampled_from(DETAILS), value=VALUES.filter(lambda v: v.strip(".") != ""))
@example(template="/api/v1/municipalities/{}/", value="\x00")
@example(template="/kommunen/{}/", value="05124000")
def test_unknown_entries_answer_404(fuzz_client, catalogue, template, value):
    response = get(fuzz_client, template.format(quote(value, safe="")))
    assert response.status_code in (200, 301, 404), (template, value, response.status_code)


@settings(FUZZ, max_examples=40)
@given(
    where=st.sampled_from(
        ["/programme/?q=", "/kommunen/?q=", "/api/v1/programmes/?q=", "/programme/"]
    ),
    raw=st.binary(min_size=1, max_size=24),
)
@example(where="/programme/?q=", raw=b"\xed\xa0\x80")  # an encoded surrogate: invalid UTF-8
@example(where="/programme/", raw=b"\xc0\xae\xc0\xae")  # overlong "..": invalid UTF-8
def test_invalid_utf8_in_query_or_path_is_answered(fuzz_client, catalogue, where, raw):
    encoded = quote_from_bytes(raw, safe="")
    path = where + encoded + ("/" if where.endswith("/") else "")
    response = get(fuzz_client, path)
    assert response.status_code in (200, 301, 400, 404), (path, response.status_code)
