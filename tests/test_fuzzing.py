"""Property-based tests (hypothesis): every public URL and parameter, HTML and open data, driven
with random unicode, control characters, null bytes, overlong values, invalid UTF-8, SQL and
tsquery syntax. The answer is always the documented one: 200, or 400 naming a bad parameter
for lists, 404 for an unknown entry; never a server error (the test client re-raises any
exception a view lets escape).

About 300 requests in all; examples are derandomised so that CI runs the same ones.
"""

from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from municipalities.filters import MunicipalityFilterSet
from programmes.filters import ProgrammeFilterSet
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)

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
    # Streaming answers (exports, calendars) must also be produced to the end.
    if response.streaming:
        b"".join(response.streaming_content)
    return response


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
    "/api/v1/topics/": ["page"],
    "/api/v1/principles/": ["page"],
    "/themen/stadtentwicklung/": ["page"],
    "/leitbild/orte-der-begegnung-starken/": ["page"],
    "/": ["q", "page"],
}


@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_open_data_and_paged_pages_answer_200_or_400(fuzz_client, catalogue, data):
    path = data.draw(st.sampled_from(sorted(OPEN_DATA_LISTS)))
    pairs = data.draw(parameters(OPEN_DATA_LISTS[path]))
    response = get(fuzz_client, f"{path}?{query_string(pairs)}")
    assert response.status_code in (200, 400), (path, pairs, response.status_code)
    if path.startswith("/api/") and response.status_code == 400:
        assert response.json()["errors"]


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
