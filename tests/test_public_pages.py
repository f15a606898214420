"""Public pages show what the model holds and make a bounded number of SQL queries."""

import json
import re
from datetime import date, timedelta

import pytest

from programmes.models import Link, Measure, Source
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)


def build_catalogue(size: int, today: date):
    chain = make_nrw_chain()
    topics = [make_topic(f"Thema {i}") for i in range(3)]
    group = make_target_group("Kommunen")
    funder = make_funding_body("Ministerium", "land", short_name="MIN")
    principle = make_principle("Gemeinwohl", text="Erläuterung.")
    Measure.objects.create(principle=principle, text="Ein Vorschlag.")
    parent = make_programme(
        "Dachprogramm",
        topics=topics,
        target_groups=[group],
        funding_body=funder,
        region=chain["nrw"],
        windows=[(today, today + timedelta(days=9))],
    )
    parent.principles.add(principle)
    Link.objects.create(programme=parent, title="Richtlinie", url="https://example.org/r")
    Source.objects.create(
        subject=parent, title="Programmseite", url="https://example.org", accessed=today
    )
    for i in range(size):
        child = make_programme(
            f"Vorhaben {i:03d}",
            topics=topics[: 1 + i % 3],
            target_groups=[group],
            funding_body=funder,
            parent=parent,
            region=chain["nrw"],
            windows=[(None, today + timedelta(days=i))],
        )
        child.principles.add(principle)
        add_participation(child, chain["iserlohn"], "projektstandort", f"Runde {i}")
        add_participation(
            parent, chain["wuppertal"] if i % 2 else chain["iserlohn"], "partner", f"Runde {i}"
        )
    return chain, parent, principle, topics


# Each page and something it shows only when it is that page, built from the catalogue.
SHOWS = {
    "/": "Vorhaben 000",
    "/programme/": "Vorhaben 000",
    "/programme/?q=Vorhaben&topic=thema-0&level=land": "Vorhaben 000",
    "/programme/dachprogramm/": "Vorhaben 000",  # a child
    "/kommunen/": "Iserlohn",
    "/kommunen/iserlohn/": "Vorhaben 000",
    "/kommunen/regierungsbezirk-arnsberg/": "Märkischer Kreis",
    "/leitbild/": "Gemeinwohl",
    "/leitbild/gemeinwohl/": "Vorhaben 000",
    "/themen/": "Thema 0",
    "/themen/thema-0/": "Vorhaben 000",
    "/impressum/": "<title>Impressum – ",
    "/datenschutz/": "<title>Datenschutz – ",
    "/barrierefreiheit/": "<title>Erklärung zur Barrierefreiheit – ",
}
PAGES = list(SHOWS)


def page_of(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert SHOWS[path] in html, path
    return html


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_the_number_of_results(
    client, path, today, django_assert_max_num_queries
):
    build_catalogue(3, today)
    # Cold caches: also the register of place names (suggestions in forms, `open_to`) and the
    # catalogue index, each built once per catalogue version.
    with django_assert_max_num_queries(10) as small:
        page_of(client, path)
    build_more = len(small.captured_queries)
    # Forty more programmes with topics, participations and windows: same query count.
    from programmes.models import Programme

    parent = Programme.objects.get(slug="dachprogramm")
    for i in range(40):
        extra = make_programme(
            f"Weiteres {i:03d}",
            topics=list(parent.topics.all()),
            parent=parent,
            funding_body=parent.funding_body,
            region=parent.region,
            windows=[(None, today)],
        )
        add_participation(extra, parent.participations.first().municipality, "partner", f"X{i}")
    with django_assert_max_num_queries(build_more):
        page_of(client, path)


@pytest.mark.django_db
class TestProgrammeDetail:
    def test_shows_what_the_model_holds(self, client, today):
        build_catalogue(2, today)
        page = client.get("/programme/dachprogramm/").content.decode()
        for expected in [
            "Antrag möglich",
            "Richtlinie",
            "Programmseite",
            "abgerufen am",
            "Wuppertal",
            "Iserlohn",
            "Runde 1",
            "Vorhaben 000",
            "Gemeinwohl",
            "Ministerium",
            "Kommunen",
            "Nordrhein-Westfalen",
            "Zuletzt aktualisiert",
        ]:
            assert expected in page, expected

    def test_json_ld_and_canonical_link(self, client, today):
        build_catalogue(1, today)
        page = client.get("/programme/dachprogramm/").content.decode()
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
        )
        assert data["@type"] == "GovernmentService"
        assert data["name"] == "Dachprogramm"
        assert data["url"].endswith("/programme/dachprogramm/")
        assert '<link rel="canonical" href="http://127.0.0.1:8000/programme/dachprogramm/">' in page

    def test_editor_text_is_escaped_everywhere(self, client):
        payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        make_programme(
            "Sicher " + payload,
            slug="sicher",
            summary="Stadt " + payload,
            description=payload,
            windows=[(None, None)],
        )
        for path in ["/", "/programme/", "/programme/?q=Stadt", "/programme/sicher/"]:
            page = client.get(path).content.decode()
            assert "<script>alert" not in page, path
            assert "<img src=x" not in page, path
        ld = client.get("/programme/sicher/").content.decode()
        assert "</script><img" not in ld

    def test_search_snippets_mark_hits_and_escape_the_rest(self, client):
        make_programme("Hallen", summary="Turnhallen <b>und</b> Schwimmbäder sanieren")
        page = client.get("/programme/?q=Schwimmbad").content.decode()
        assert "<mark>Schwimmbäder</mark>" in page
        assert "&lt;b&gt;und&lt;/b&gt;" in page


@pytest.mark.django_db
def test_municipality_pages_show_hierarchy_and_programmes(client, today):
    chain, parent, *_ = build_catalogue(2, today)
    page = client.get("/kommunen/iserlohn/").content.decode()
    assert re.search(
        r"Nordrhein-Westfalen.*Regierungsbezirk Arnsberg.*Märkischer Kreis.*Iserlohn", page, re.S
    )
    assert "Vorhaben 001" in page and "Projektstandort" in page
    assert "Dachprogramm" in page  # open to it: region NRW
    region = client.get("/kommunen/regierungsbezirk-arnsberg/")
    children = {m.name: m.counts[0] for m in region.context["children"]}
    assert children == {"Märkischer Kreis": 3}  # two Vorhaben and the Dachprogramm


@pytest.mark.django_db
def test_municipality_list_filters_by_name_key_kind_and_region(client):
    make_nrw_chain()
    names = lambda q: [m.name for m in client.get(f"/kommunen/?{q}").context["page"]]  # noqa: E731
    assert names("q=iser") == ["Iserlohn"]
    assert names("q=05124") == ["Wuppertal"]
    assert names("kind=kreis") == ["Märkischer Kreis"]
    assert names("region=059") == ["Iserlohn", "Märkischer Kreis"]
    assert names("region=051") == ["Wuppertal"]


@pytest.mark.django_db
def test_principle_tree_takes_two_queries_however_large(client, django_assert_num_queries):
    from programmes.models import Framework, PrincipleArea

    for f in range(3):
        framework = Framework.objects.create(title=f"Leitbild {f}", slug=f"lb-{f}", summary="…")
        for a in range(2):
            area = PrincipleArea.objects.create(framework=framework, title=f"B{a}", slug=f"b{a}")
            for n in range(3):
                principle = make_principle(
                    f"Satz {f}-{a}-{n}", number=a * 3 + n + 1, framework=framework, area=area
                )
                Measure.objects.create(principle=principle, text="Vorschlag")
    with django_assert_num_queries(3):  # the catalogue version (page cache) and the two
        response = client.get("/leitbild/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("1 Umsetzungsvorschlag") == 18
    assert all(f"Leitbild {f}" in page for f in range(3))
