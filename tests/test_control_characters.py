"""Control characters in stored text break no writer, and editors and imports store none.

Text pasted from a word processor may hold a vertical tab or a form feed; XML (Atom, SVG, the
sheets of an XLSX) cannot carry them and iCalendar forbids them. The first half stores them
straight into the database, past every form and save(), as SQL or an old import could, and
fetches every writer: each answers 200 with well-formed output. The second half shows that
what editors and imports write arrives without them, and that a request path cannot forge a
line of the request log.
"""

import csv
import io
import json
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import icalendar
import pytest
from django.conf import settings
from django.test import override_settings
from openpyxl import load_workbook
from reversion.models import Version

from core.text import CONTROL_CHARACTERS, without_control_characters, xml_text
from municipalities.boundaries import read_features
from municipalities.models import Municipality
from municipalities.register import RegisterError, import_register
from programmes.management.commands.load_catalogue import load_catalogue
from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingBody,
    GuidingPrinciple,
    Link,
    Measure,
    Participation,
    Programme,
    Source,
    TargetGroup,
    Topic,
)
from tests.admin_builders import BUILDERS, make_editor, make_source
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

TEXT = "Stadt\x0bteil\x01\x08\x0c\x1b\x1f\x7f\ufffe\uffff Ende"
ALL = "status=open&status=upcoming&status=running&status=closed&status=announced"
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
FORBIDDEN_IN_ICS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXCERPT = Path(__file__).parent / "data" / "register_excerpt.txt"


@pytest.fixture
def stored(today, tmp_path):
    places = make_nrw_chain()
    import_outlines(tmp_path)
    programme = make_programme(
        "Programm",
        slug="programm",
        topics=[make_topic("Quartier")],
        target_groups=[make_target_group("Gemeinden")],
        funding_body=make_funding_body("Ministerium", short_name="MX"),
        region=places["nrw"],
        windows=[(today, today + timedelta(days=30))],
    )
    principle = make_principle("Begegnung", slug="begegnung")
    programme.principles.add(principle)
    Measure.objects.create(principle=principle, text="Vorschlag")
    Link.objects.create(programme=programme, title="Aufruf", url="https://example.org/")
    make_source(programme)
    add_participation(programme, places["iserlohn"], role="leitkommune")
    add_participation(programme, places["wuppertal"])
    # Past every form and save(): as SQL, COPY or an import from before the cleaning would.
    Programme.objects.update(title=TEXT, short_name=TEXT, summary=TEXT, description=TEXT,
                             amount_note=TEXT, contact=TEXT)  # fmt: skip
    ApplicationWindow.objects.update(note=TEXT)
    Participation.objects.update(round=TEXT, note=TEXT)
    Link.objects.update(title=TEXT)
    Source.objects.update(title=TEXT)
    Topic.objects.update(name=TEXT, description=TEXT)
    TargetGroup.objects.update(name=TEXT, description=TEXT)
    FundingBody.objects.update(name=TEXT, short_name=TEXT)
    GuidingPrinciple.objects.update(title=TEXT, text=TEXT)
    Measure.objects.update(text=TEXT)
    Framework.objects.update(title=TEXT, summary=TEXT, issuer=TEXT)
    Municipality.objects.update(name=TEXT, official_name=TEXT)
    return places


def fetch(client, path) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_atom_feed_stays_well_formed(client, stored):
    for path in ("/programme/feed/", f"/programme/feed/?{ALL}", "/programme/feed/?q=Stadt"):
        content = fetch(client, path)
        root = ElementTree.fromstring(content)
        (entry,) = root.iter(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text == xml_text(TEXT)
        assert [c.get("term") for c in entry.iter(f"{ATOM}category")] == [xml_text(TEXT)]
        parsed = feedparser.parse(content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == xml_text(TEXT)


def test_calendars_carry_no_control_character(client, stored):
    for path in ("/programme/fristen.ics", f"/programme/fristen.ics?{ALL}",
                 "/programme/programm/fristen.ics"):  # fmt: skip
        content = fetch(client, path)
        assert not FORBIDDEN_IN_ICS.search(content.replace(b"\r\n", b"")), path
        (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
        assert str(event["SUMMARY"]).endswith(without_control_characters(TEXT))


def test_csv_and_xlsx_exports_read_back(client, stored):
    rows = list(csv.reader(io.StringIO(fetch(client, "/programme/export.csv").decode("utf-8-sig"))))
    assert rows[1][0] == without_control_characters(TEXT)
    assert rows[1][8] == without_control_characters(TEXT)  # the topics
    rows = list(csv.reader(io.StringIO(fetch(client, "/programme/export.csv?delimiter=semicolon")
                                       .decode("utf-8-sig")), delimiter=";"))  # fmt: skip
    assert rows[1][0] == without_control_characters(TEXT)

    sheet = load_workbook(io.BytesIO(fetch(client, "/programme/export.xlsx"))).active
    assert sheet["A2"].value == xml_text(TEXT)
    assert sheet["H2"].value == xml_text(TEXT)  # the funder


def test_the_api_carries_the_text_as_stored(client, stored):
    keys = [stored[name].key for name in ("nrw", "mk", "iserlohn", "wuppertal")]
    paths = [
        "/api/v1/programmes/", f"/api/v1/programmes/?{ALL}", "/api/v1/programmes/programm/",
        "/api/v1/municipalities/", *(f"/api/v1/municipalities/{key}/" for key in keys),
        "/api/v1/topics/", "/api/v1/target-groups/", "/api/v1/funders/", "/api/v1/principles/",
        "/api/v1/principles/begegnung/", "/api/v1/frameworks/", "/opendata/dcat.jsonld",
    ]  # fmt: skip
    for path in paths:
        json.loads(fetch(client, path))
    detail = client.get("/api/v1/programmes/programm/").json()
    assert detail["title"] == TEXT and detail["participations"][0]["note"] == TEXT


def svgs(html: str) -> list[ElementTree.Element]:
    return [ElementTree.fromstring(svg) for svg in re.findall(r"<svg xmlns=.*?</svg>", html, re.S)]


def test_svg_maps_stay_well_formed(client, stored):
    places = [stored[name].get_absolute_url() for name in ("iserlohn", "mk", "wuppertal")]
    paths = ["/programme/programm/", "/kommunen/", *places]
    for path in paths:
        maps = svgs(fetch(client, path).decode())
        assert maps, path
        labels = [a.get("aria-label") for svg in maps for a in svg.iter(f"{SVG}a")]
        assert any(label.startswith(xml_text(TEXT)) for label in labels), path
    (participants,) = svgs(fetch(client, "/programme/programm/").decode())
    assert xml_text(TEXT) in participants.find(f"{SVG}desc").text


def test_pages_json_ld_and_sitemaps_answer(client, stored):
    for path in ["/", "/programme/", f"/programme/?{ALL}", "/themen/", "/themen/quartier/",
                 "/leitbild/", "/leitbild/begegnung/", "/kommunen/?q=Stadt"]:  # fmt: skip
        fetch(client, path)
    page = fetch(client, "/programme/programm/").decode()
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(block)["name"] == TEXT
    for section in ["", "-programme", "-kommunen", "-leitsaetze", "-themen", "-seiten"]:
        ElementTree.fromstring(fetch(client, f"/sitemap{section}.xml"))


# --- Where text comes in ----------------------------------------------------------------------


def text_values(instance) -> dict[str, str]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if isinstance(getattr(instance, field.attname), str)
    }


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_every_catalogue_save_stores_text_without_control_characters(label):
    instance = BUILDERS[label]()
    instance.refresh_from_db()
    clean = {name: value for name, value in text_values(instance).items() if value}
    for name, value in clean.items():
        setattr(instance, name, f"\x0b{value}\x01\x1f\x7f")
    instance.save()
    instance.refresh_from_db()
    assert {name: getattr(instance, name) for name in clean} == clean


def test_the_admin_stores_pasted_text_without_control_characters(client):
    from tests.test_admin import admin_url, programme_post

    client.force_login(make_editor())
    data = programme_post(windows=[("2025-01-01", "2025-02-01")],
                          links=[("Auf\x0bruf", "https://example.org/aufruf")])  # fmt: skip
    data.update(title="Stadt\x0bgespräche\x0c NRW", summary="Gespräche\x01 über Baukultur.")
    data["application_windows-0-note"] = "erster\x0b Aufruf"
    response = client.post(admin_url("programmes.programme", "add"), data)
    assert response.status_code == 302
    programme = Programme.objects.get(slug="stadtgespraeche-nrw")
    assert programme.title == "Stadtgespräche NRW"
    assert programme.summary == "Gespräche über Baukultur."
    assert programme.application_windows.get().note == "erster Aufruf"
    assert programme.links.get().title == "Aufruf"
    (version,) = Version.objects.get_for_object(programme)
    assert version.field_dict["title"] == "Stadtgespräche NRW"


def test_the_catalogue_loader_stores_no_control_character(tmp_path):
    files = {
        "municipalities": [],
        "taxonomy": [{"model": "programmes.topic",
                      "fields": {"name": "Quar\x0btier", "slug": "quartier", "description": ""}}],
        "principles": [],
        "programmes": [
            {"model": "programmes.programme",
             "fields": {"title": "Bürger\x0bhaus", "slug": "buergerhaus", "summary": "Kurz\x0c.",
                        "kind": "service", "level": "land", "publication": "published",
                        "created": "2025-01-01T00:00:00Z", "updated": "2025-01-01T00:00:00Z",
                        "topics": [["quartier"]]}},
            {"model": "programmes.applicationwindow",
             "fields": {"programme": ["buergerhaus"], "note": "jeder\x01zeit"}},
        ],
        "sources": [],
    }  # fmt: skip
    for kind, objects in files.items():
        (tmp_path / f"{kind}.json").write_text(json.dumps(objects), encoding="utf-8")
    assert load_catalogue(directory=tmp_path).loaded
    programme = Programme.objects.get(slug="buergerhaus")
    assert (programme.title, programme.summary) == ("Bürgerhaus", "Kurz.")
    assert programme.application_windows.get().note == "jederzeit"  # inserted in bulk
    assert Topic.objects.get().name == "Quartier"


def test_a_register_name_with_a_control_character_is_refused(tmp_path):
    lines = EXCERPT.read_text("utf-8").splitlines(keepends=True)
    name_start = 22  # "Bezeichnung" holds characters 23 to 72
    lines[2] = lines[2][:name_start] + "\x0b" + lines[2][name_start + 1 :]
    path = tmp_path / "GV100AD_30112025.txt"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(RegisterError) as refused:
        import_register(path, land="05", population_date=date(2024, 12, 31))
    assert (refused.value.line, refused.value.field) == (3, "Bezeichnung")
    assert "Steuerzeichen 0x0B" in str(refused.value)
    assert not Municipality.objects.exists()


def test_boundary_names_lose_control_characters(tmp_path):
    ring = [[7.0, 51.0], [7.1, 51.0], [7.1, 51.1], [7.0, 51.1], [7.0, 51.0]]
    feature = {"type": "Feature", "properties": {"AGS": "05124", "GEN": "Wupper\x0btal\x1b[2J"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    path = tmp_path / "grenzen.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    (read,) = read_features(path)
    assert read.name == "Wuppertal[2J"
    assert not CONTROL_CHARACTERS.search(read.name)


@override_settings(MIDDLEWARE=["core.logs.RequestLogMiddleware"])
def test_a_path_cannot_forge_a_request_log_line(client):
    """Newlines (also CR, NEL and U+2028) in a path stay escaped in the one line it gets."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["text"]["format"]))
    logger = logging.getLogger("core.request")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    try:
        client.get("/x%0A2026-01-01 INFO core.request: GET /admin/ 200%0D%C2%85%E2%80%A8%5Cn/")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    (line,) = output.getvalue().splitlines()
    assert "GET /x\\n2026-01-01 INFO core.request: GET /admin/ 200\\r\\x85\\u2028\\\\n/ 404" in line
