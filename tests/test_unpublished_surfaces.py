"""No unpublished entry shows on a public surface, whatever relation leads to it.

Two published programmes are related to draft, in-review and archived ones in every way the
catalogue knows: parent, predecessor, children, successors, and the topic, target group, funder,
principle, region and municipalities they share. Every public address is fetched – pages, the
API with its nested references, feed, calendars, exports, sitemaps, maps, JSON-LD, DCAT – and
no title, short name, summary, note or slug of an unpublished entry may appear in any of them
(each holds "geheim"); counts count the published programmes only.
"""

import io
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from programmes.participant_map import programme_counts_by_kreis
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

HIDDEN = "geheim"
ALL = "status=open&status=upcoming&status=running&status=closed&status=announced"
SVG = "{http://www.w3.org/2000/svg}"
DAY = timedelta(days=1)


@pytest.fixture
def catalogue(today, tmp_path):
    places = make_nrw_chain()
    import_outlines(tmp_path)
    topic = make_topic("Quartier")
    group = make_target_group("Gemeinden")
    funder = make_funding_body("Ministerium für Heimat", short_name="MHKBD")
    principle = make_principle("Orte der Begegnung stärken", slug="begegnung")
    shared = {"topics": [topic], "target_groups": [group], "funding_body": funder,
              "region": places["nrw"], "windows": [(today, today + 30 * DAY)]}  # fmt: skip

    visible = make_programme("Sichtbares Programm", slug="sichtbar", **shared)
    other = make_programme("Anderes Programm", slug="anderes", **shared)
    add_participation(visible, places["iserlohn"], role="leitkommune")

    def hidden(role, state, **fields):
        programme = make_programme(
            f"Geheim {role} {state}",
            slug=f"geheim-{role}-{state}",
            former_slugs=[f"frueher-geheim-{role}-{state}"],
            short_name=f"GEHEIM-{role}",
            summary=f"Geheime Kurzbeschreibung ({role}).",
            description="Geheime Beschreibung.",
            publication=state,
            **shared,
            **fields,
        )
        programme.principles.add(principle)
        programme.application_windows.update(note="Geheimer Hinweis")
        add_participation(programme, places["iserlohn"], note="Geheime Notiz")
        add_participation(programme, places["wuppertal"], round="Geheime Runde")
        return programme

    # An ended parent: its end must not decide a published child's status either.
    ended = {"start_date": today - 400 * DAY, "end_date": today - 10 * DAY}
    frames, befores = {}, {}
    for state in ("draft", "review", "archived"):
        frames[state] = hidden("rahmen", state, **ended)
        befores[state] = hidden("vorgaenger", state, **ended)
        hidden("kind", state, parent=visible)
        hidden("nachfolger", state, predecessor=visible)
        hidden("enkel", state, parent=other, predecessor=other)
    visible.parent, visible.predecessor = frames["draft"], befores["archived"]
    visible.save()
    other.parent, other.predecessor = frames["archived"], befores["draft"]
    other.save()
    for programme in frames.values():  # the latest changes are unpublished ones
        programme.save()
    return {"places": places, "visible": visible, "other": other}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text_of(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    content = body(response)
    if path.split("?")[0].endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        return " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
    return content.decode("utf-8")


PAGES = [
    "/",
    "/programme/",
    f"/programme/?{ALL}",
    f"/programme/?{ALL}&topic=quartier&target_group=gemeinden&funder=ministerium-fur-heimat",
    f"/programme/?{ALL}&principle=begegnung&municipality=05124000",
    f"/programme/?{ALL}&municipality=05962024&sort=updated",
    "/programme/sichtbar/",
    "/programme/anderes/",
    "/themen/",
    "/themen/quartier/",
    "/leitbild/",
    "/leitbild/begegnung/",
    "/kommunen/",
    "/kommunen/?q=wupp",
]
PLACES = ["nrw", "arnsberg", "duesseldorf", "mk", "iserlohn", "wuppertal"]
OPEN_DATA = [
    "/api/v1/",
    "/api/v1/programmes/",
    f"/api/v1/programmes/?{ALL}",
    f"/api/v1/programmes/?{ALL}&municipality=05124000",
    "/api/v1/programmes/sichtbar/",
    "/api/v1/programmes/anderes/",
    "/api/v1/municipalities/",
    "/api/v1/topics/",
    "/api/v1/topics/quartier/",
    "/api/v1/target-groups/",
    "/api/v1/target-groups/gemeinden/",
    "/api/v1/funders/",
    "/api/v1/funders/ministerium-fur-heimat/",
    "/api/v1/principles/",
    "/api/v1/principles/begegnung/",
    "/api/v1/frameworks/",
    "/api/v1/frameworks/leitbild-test/",
    "/programme/feed/",
    f"/programme/feed/?{ALL}",
    "/programme/fristen.ics",
    f"/programme/fristen.ics?{ALL}",
    "/programme/sichtbar/fristen.ics",
    "/programme/anderes/fristen.ics",
    f"/programme/export.csv?{ALL}",
    f"/programme/export.xlsx?{ALL}",
    "/sitemap.xml",
    "/sitemap-seiten.xml",
    "/sitemap-programme.xml",
    "/sitemap-kommunen.xml",
    "/sitemap-leitsaetze.xml",
    "/sitemap-themen.xml",
    "/opendata/dcat.jsonld",
]


def test_no_public_surface_names_an_unpublished_entry(client, catalogue):
    places = catalogue["places"]
    paths = [
        *PAGES,
        *(places[name].get_absolute_url() for name in PLACES),
        *(f"/api/v1/municipalities/{places[name].key}/" for name in PLACES),
        *OPEN_DATA,
    ]
    for path in paths:
        text = text_of(client, path)
        assert HIDDEN not in text.lower(), (path, re.findall(r".{40}geheim.{40}", text, re.I))


@pytest.mark.parametrize("state", ["draft", "review", "archived"])
@pytest.mark.parametrize(
    "template",
    ["/programme/{}/", "/api/v1/programmes/{}/", "/programme/{}/fristen.ics"],
)
def test_an_unpublished_entry_has_no_address(client, catalogue, template, state):
    slug = f"geheim-kind-{state}"
    assert client.get(template.format(slug)).status_code == 404
    assert client.get(f"/programme/frueher-geheim-kind-{state}/").status_code == 404


def test_the_programme_page_and_api_show_only_published_relations(client, catalogue):
    page = client.get("/programme/sichtbar/")
    context = page.context
    assert context["parent"] is None and context["predecessor"] is None
    assert context["children"] == [] and context["successors"] == []
    assert [p.municipality.name for _, roles in context["participation_groups"]
            for _, group in roles for p in group] == ["Iserlohn"]  # fmt: skip

    api = client.get("/api/v1/programmes/sichtbar/").json()
    assert api["parent"] is None and api["predecessor"] is None
    assert [p["municipality"]["key"] for p in api["participations"]] == ["05962024"]
    # An unpublished parent's end does not close its published part.
    assert api["status"] == "open"
    assert client.get("/api/v1/programmes/anderes/").json()["status"] == "open"
    assert page.context["programme"].status == "open"


def test_lists_searches_and_feeds_hold_the_published_programmes_only(client, catalogue):
    listed = client.get(f"/programme/?{ALL}").context
    assert [p.slug for p in listed["page"]] == ["anderes", "sichtbar"]
    facets = {facet.name: facet for facet in listed["facets"]}
    for name in ("topic", "target_group", "funder"):
        assert [option.count for option in facets[name].options] == [2], name
    assert [option.count for option in facets["principle"].options] == [0]
    assert client.get(f"/programme/?{ALL}&q=geheim").context["total"] == 0
    assert client.get(f"/api/v1/programmes/?{ALL}&q=geheim").json()["count"] == 0
    assert client.get(f"/api/v1/programmes/?{ALL}").json()["count"] == 2

    feed = ElementTree.fromstring(client.get(f"/programme/feed/?{ALL}").content)
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 2
    calendar = text_of(client, f"/programme/fristen.ics?{ALL}")
    assert calendar.count("BEGIN:VEVENT") == 2
    export = text_of(client, f"/programme/export.csv?{ALL}").splitlines()
    assert len(export) == 3


def test_counts_count_published_programmes_only(client, catalogue):
    home = client.get("/").context
    assert home["counts"]["programmes"] == 2
    assert home["municipality_count"] == 1
    assert {p.slug for p in home["newest"]} == {"sichtbar", "anderes"}
    assert {p.slug for p in home["applicable"]} == {"sichtbar", "anderes"}
    assert [t.programme_count for t in client.get("/themen/").context["topics"]] == [2]
    (framework,) = client.get("/leitbild/").context["frameworks"]
    assert [p.programme_count for p in framework.principles.all()] == [0]
    assert client.get("/leitbild/begegnung/").context["page"].paginator.count == 0

    for path, count in [("topics", 2), ("target-groups", 2), ("funders", 2)]:
        (entry,) = client.get(f"/api/v1/{path}/").json()["results"]
        assert entry["programme_count"] == count, path

    municipalities = {m.key: m.counts for m in client.get("/kommunen/").context["page"]}
    assert municipalities["05124000"] == [0] and municipalities["05962024"] == [1]
    assert municipalities["05"] == [1] and municipalities["051"] == [0]
    places = catalogue["places"]
    wuppertal = client.get(places["wuppertal"].get_absolute_url()).context
    assert wuppertal["participations"] == []
    assert [p.slug for p in wuppertal["page"]] == ["anderes", "sichtbar"]  # open to NRW
    assert wuppertal["page"].paginator.count == 2
    api = client.get("/api/v1/municipalities/05124000/").json()
    assert api["participations"] == []


def test_maps_count_and_draw_published_participations_only(client, catalogue):
    assert programme_counts_by_kreis() == {"05962": 1}
    html = client.get("/kommunen/").content.decode()
    (svg,) = re.findall(r"<svg xmlns=.*?</svg>", html, re.S)
    labels = {
        a.get("href"): a.get("aria-label") for a in ElementTree.fromstring(svg).iter(f"{SVG}a")
    }
    places = catalogue["places"]
    assert labels[places["wuppertal"].get_absolute_url()] == "Wuppertal: 0 Programme"
    assert labels[places["mk"].get_absolute_url()] == "Märkischer Kreis: 1 Programm"

    page = client.get("/programme/sichtbar/").content.decode()
    (svg,) = re.findall(r"<svg xmlns=.*?</svg>", page, re.S)
    hatched = ElementTree.fromstring(svg).find(f"{SVG}g[@class='map__layer map__layer--highlight']")
    assert [a.get("href") for a in hatched.iter(f"{SVG}a")] == [
        places["iserlohn"].get_absolute_url()
    ]


def test_sitemaps_and_dcat_know_published_programmes_only(client, catalogue):
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(client.get("/sitemap-kommunen.xml").content)
    assert [loc.text.split("/kommunen/")[1] for loc in root.iterfind(".//s:loc", namespace)] == [
        "iserlohn/"
    ]
    root = ElementTree.fromstring(client.get("/sitemap-programme.xml").content)
    assert len(root.findall(".//s:loc", namespace)) == 2

    dcat = client.get("/opendata/dcat.jsonld").json()
    visible, other = catalogue["visible"], catalogue["other"]
    visible.refresh_from_db()
    other.refresh_from_db()
    latest = max(visible.updated, other.updated).isoformat()
    assert dcat["dct:modified"]["@value"] == latest
