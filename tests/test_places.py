"""Places as people know them: names, postcodes, keys and slugs wherever a place is asked for,
ambiguous and misspelled names, and `open_to` (programmes.openness) on every surface."""

from datetime import timedelta

import feedparser
import icalendar
import pytest

from municipalities import lookup
from municipalities.models import Municipality
from programmes.facets import catalogue_index
from programmes.models import Programme
from programmes.openness import open_to, reach
from tests.factories import add_participation, make_municipality, make_nrw_chain, make_programme
from tests.test_exports import csv_rows, streamed

DAY = timedelta(days=1)
KREISFREIE_STADT, GEMEINDE = Municipality.Kind.KREISFREIE_STADT, Municipality.Kind.GEMEINDE


@pytest.fixture
def places(db):
    chain = make_nrw_chain()
    Municipality.objects.filter(pk=chain["iserlohn"].pk).update(postcode="58636")
    chain["hemer"] = make_municipality("Hemer", "05962016", chain["mk"], postcode="58675")
    chain["rb_muenster"] = make_municipality(
        "Regierungsbezirk Münster", "055", chain["nrw"], slug="regierungsbezirk-muenster"
    )
    chain["muenster"] = make_municipality(
        "Münster", "05515000", chain["rb_muenster"], slug="muenster", kind=KREISFREIE_STADT
    )
    chain["hessen"] = make_municipality("Hessen", "06")
    chain["dieburg"] = make_municipality("Landkreis Darmstadt-Dieburg", "06432", chain["hessen"])
    chain["muenster_hessen"] = make_municipality(
        "Münster (Hessen)", "06432015", chain["dieburg"], slug="muenster-hessen", kind=GEMEINDE
    )
    return chain


@pytest.fixture
def catalogue(places, today):
    """What is open to Iserlohn, what is not, and deadlines to sort by."""
    nrw, mk, iserlohn, hemer = places["nrw"], places["mk"], places["iserlohn"], places["hemer"]
    soon, later = today + 10 * DAY, today + 30 * DAY
    make_programme("Landesweit", region=nrw, windows=[(today - DAY, later)])
    make_programme("Bundesweit", level="bund", windows=[(today - DAY, soon)])
    make_programme("Demnächst", region=nrw, windows=[(today + 5 * DAY, today + 60 * DAY)])
    make_programme("Im Kreis", region=mk)
    make_programme("Beendet", region=nrw, end_date=today - DAY)
    make_programme("Hessisch", region=places["hessen"])
    make_programme("Entwurf", region=nrw, publication=Programme.Publication.DRAFT)
    measure = make_programme("Modellvorhaben NRW", region=nrw, end_date=today + 90 * DAY)
    for title, participant in [
        ("Projekt Iserlohn", iserlohn),
        ("Projekt Hemer", hemer),
        ("Projekt Märkischer Kreis", mk),
    ]:
        project = make_programme(title, region=nrw, parent=measure)
        add_participation(project, participant, "leitkommune")
    return places


def titles(response):
    assert response.status_code == 200, response.content.decode()[:2000]
    return sorted(p.title for p in response.context["page"].object_list)


OPEN_TO_ISERLOHN = [
    "Bundesweit",
    "Demnächst",
    "Im Kreis",
    "Landesweit",
    "Modellvorhaben NRW",
    "Projekt Iserlohn",
    "Projekt Märkischer Kreis",
]


class TestFindingPlaces:
    @pytest.mark.parametrize(
        "text", ["Iserlohn", "iserlohn", " ISERLOHN ", "Iserlohn (Stadt)", "58636", "05962024"]
    )
    def test_name_postcode_key_and_slug_name_the_same_place(self, places, text):
        assert lookup.find(text).key == "05962024"

    @pytest.mark.parametrize("text", ["Muenster (Kreisfreie Stadt)", "muenster", "05515000"])
    def test_umlauts_spelled_out_labels_and_slugs_find_the_city(self, places, text):
        assert lookup.find(text).key == "05515000"

    def test_a_found_place_is_a_municipality_named_by_its_name(
        self, places, django_assert_num_queries
    ):
        lookup.find("Iserlohn")  # the register's names, once per catalogue version
        with django_assert_num_queries(1):  # the version check (none within a request)
            place = lookup.find("58636")
        assert str(place) == "Iserlohn" and place.pk == places["iserlohn"].pk
        assert place.population is None  # a field not read by the lookup loads on demand

    def test_every_place_filter_takes_names(self, client, catalogue):
        by_slug = titles(client.get("/programme/?municipality=iserlohn"))
        assert by_slug == ["Projekt Iserlohn"]
        for text in ["Iserlohn", "58636", "05962024"]:
            assert titles(client.get(f"/programme/?municipality={text}")) == by_slug
            assert titles(client.get(f"/programme/?open_to={text}")) == OPEN_TO_ISERLOHN
        assert client.get("/kommunen/?region=M%C3%A4rkischer+Kreis").status_code == 200

    def test_ambiguous_name_asks_which_place_is_meant(self, client, catalogue):
        response = client.get("/programme/?municipality=M%C3%BCnster&sort=title")
        assert response.status_code == 400
        (error,) = response.context["errors"]
        assert error.parameter == "municipality"
        assert "passt auf mehrere Orte" in error.message
        assert [(c.label, c.value) for c in error.choices] == [
            ("Münster (Kreisfreie Stadt, Regierungsbezirk Münster)", "muenster"),
            ("Münster (Hessen) (Gemeinde, Landkreis Darmstadt-Dieburg)", "muenster-hessen"),
            (
                "Regierungsbezirk Münster (Regierungsbezirk, Nordrhein-Westfalen)",
                "regierungsbezirk-muenster",
            ),
        ]
        page = response.content.decode()
        assert 'href="?municipality=muenster&amp;sort=title"' in page
        assert client.get("/programme/?municipality=muenster&sort=title").status_code == 200

    def test_misspelled_name_gets_close_names_and_the_reason(self, client, catalogue):
        body = client.get("/api/v1/programmes/?open_to=Iserlon").json()
        (error,) = body["errors"]
        assert error["parameter"] == "open_to"
        assert error["message"].startswith("Kein Ort im Gemeindeverzeichnis heißt „Iserlon“.")
        assert error["choices"] == [
            {"label": "Iserlohn (Stadt, Märkischer Kreis)", "value": "iserlohn"}
        ]

    def test_unknown_postcode_suggests_the_nearest_and_says_why(self, client, catalogue):
        response = client.get("/programme/?open_to=58640")
        assert response.status_code == 400
        (error,) = response.context["errors"]
        assert "Hauptpostleitzahl" in error.message
        assert [c.value for c in error.choices] == ["iserlohn", "hemer"]

    def test_a_place_where_a_region_is_asked_for_is_refused_with_the_reason(self, client, places):
        response = client.get("/kommunen/?region=Iserlohn")
        assert response.status_code == 400
        assert "Iserlohn (Stadt, Märkischer Kreis) ist hier nicht gefragt" in (
            response.context["errors"][0].message
        )

    @pytest.mark.parametrize(
        ("q", "found"), [("58636", "Iserlohn"), ("586", "Iserlohn"), ("Muenster", "Münster")]
    )
    def test_municipality_list_finds_by_postcode_and_spelled_out_umlauts(
        self, client, places, q, found
    ):
        response = client.get(f"/kommunen/?q={q}")
        assert response.status_code == 200
        assert found in [m.name for m in response.context["page"].object_list]
        assert "Wuppertal" not in [m.name for m in response.context["page"].object_list]


class TestOpenTo:
    def test_land_bund_region_and_own_projects_but_not_other_towns_or_ended(
        self, client, catalogue
    ):
        shown = titles(client.get("/programme/?open_to=iserlohn"))
        assert shown == OPEN_TO_ISERLOHN
        assert "Projekt Hemer" in titles(client.get("/programme/?open_to=hemer"))

    def test_outside_nrw_only_bund_and_own_land(self, client, catalogue):
        assert titles(client.get("/programme/?open_to=muenster-hessen")) == [
            "Bundesweit",
            "Hessisch",
        ]

    def test_a_region_gets_what_is_open_to_all_of_it_not_its_towns_projects(
        self, client, catalogue
    ):
        shown = titles(client.get("/programme/?open_to=05962"))
        assert "Projekt Iserlohn" not in shown and "Projekt Märkischer Kreis" in shown

    def test_ended_programmes_come_back_when_status_asks(self, client, catalogue):
        assert "Beendet" in titles(client.get("/programme/?open_to=Iserlohn&status=closed"))

    def test_open_data_surfaces_take_open_to(self, client, catalogue):
        api = client.get("/api/v1/programmes/?open_to=58636").json()
        assert sorted(p["title"] for p in api["results"]) == OPEN_TO_ISERLOHN
        rows = csv_rows(client.get("/programme/export.csv?open_to=Iserlohn"))
        csv_titles = [row[0] for row in rows[1:]]
        assert sorted(csv_titles) == OPEN_TO_ISERLOHN
        feed = feedparser.parse(client.get("/programme/feed/?open_to=05962024").content)
        assert "offen für: Iserlohn" in feed.feed.title  # named, not by its postcode
        assert sorted(e.title for e in feed.entries) == OPEN_TO_ISERLOHN
        calendar = icalendar.Calendar.from_ical(
            streamed(client.get("/programme/fristen.ics?open_to=iserlohn"))
        )
        summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
        assert any("Bundesweit" in s for s in summaries) and not any(
            "Hessisch" in s for s in summaries
        )
        bad = client.get("/programme/export.csv?open_to=M%C3%BCnster")
        assert bad.status_code == 400 and len(bad.json()["errors"][0]["choices"]) == 3

    def test_the_index_sets_agree_with_the_sql_rule_for_every_place(self, catalogue):
        index = catalogue_index()
        for place in Municipality.objects.all():
            in_sql = Programme.objects.published().filter(open_to(place)).values_list("pk")
            from_sets = index.members(reach().open_to(place.key) & index.published)
            assert sorted(from_sets) == sorted(pk for (pk,) in in_sql), place.name

    def test_openapi_describes_open_to(self, client, db):
        schema = client.get("/api/v1/openapi.json").json()
        parameters = schema["paths"]["/api/v1/programmes/"]["get"]["parameters"]
        (open_to,) = [p for p in parameters if p["name"] == "open_to"]
        assert "postcode" in open_to["description"] and "project" in open_to["description"]


class TestMunicipalityPage:
    def test_open_section_lists_what_can_still_be_joined_by_deadline(self, client, catalogue):
        response = client.get("/kommunen/iserlohn/")
        assert response.status_code == 200
        shown = [p.title for p in response.context["page"].object_list]
        assert shown[:3] == ["Bundesweit", "Landesweit", "Demnächst"]  # next deadline first
        assert set(shown) == set(OPEN_TO_ISERLOHN)
        page = response.content.decode()
        assert (
            "Offen für Iserlohn" in page and "Beendet" not in page and "Projekt Hemer" not in page
        )
        assert "/programme/?municipality=iserlohn" in page
        assert "/programme/?open_to=iserlohn&amp;status=open&amp;status=upcoming" in page

    def test_open_section_leaves_out_ended_projects(self, client, catalogue, today):
        Programme.objects.filter(title="Projekt Iserlohn").update(end_date=today - DAY)
        shown = [p.title for p in client.get("/kommunen/iserlohn/").context["page"].object_list]
        assert "Projekt Iserlohn" not in shown and "Landesweit" in shown

    def test_page_queries_stay_few(self, client, catalogue, django_assert_max_num_queries):
        client.get("/kommunen/hemer/")  # catalogue index and register built once per version
        # the place's family, the outlines' state for the map, participations, the page's rows:
        # what is open to it comes from per-version sets, not from a query per place
        with django_assert_max_num_queries(5):
            response = client.get("/kommunen/iserlohn/")
        assert response.status_code == 200
