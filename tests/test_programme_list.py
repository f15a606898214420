"""The programme list: every filter, disjunctive facet counts, status default, 400 contract."""

from datetime import timedelta

import pytest

from programmes.filters import ProgrammeFilterSet
from programmes.models import Programme
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)

DAY = timedelta(days=1)


@pytest.fixture
def catalogue(db, today):
    """A: open, B: running, C: closed, D: announced, E: a draft that never counts."""
    wohnen, klima = make_topic("Wohnen"), make_topic("Klima")
    vereine = make_target_group("Vereine")
    land, bund = make_funding_body("Land NRW", "land"), make_funding_body("Bund", "bund")
    principle = make_principle("Gemeinwohl vor Ort")
    chain = make_nrw_chain()
    a = make_programme(
        "Alpha",
        topics=[wohnen],
        target_groups=[vereine],
        funding_body=land,
        windows=[(today - DAY, today + 10 * DAY)],
    )
    a.principles.add(principle)
    add_participation(a, chain["iserlohn"], "partner")
    b = make_programme(
        "Beta",
        topics=[wohnen, klima],
        funding_body=bund,
        kind=Programme.Kind.NETZWERK,
        level="bund",
    )
    add_participation(b, chain["wuppertal"], "leitkommune")
    make_programme("Gamma", topics=[klima], funding_body=land, end_date=today - DAY)
    make_programme(
        "Delta",
        topics=[klima],
        funding_body=land,
        kind=Programme.Kind.QUALIFIZIERUNG,
        is_announced=True,
    )
    make_programme("Epsilon", topics=[wohnen], publication=Programme.Publication.DRAFT)
    return chain


def titles(response):
    return [p.title for p in response.context["page"].object_list]


def counts(response, facet_name):
    facet = next(f for f in response.context["facets"] if f.name == facet_name)
    return {option.value: option.count for option in facet.options}


@pytest.mark.django_db
class TestFilters:
    def test_default_hides_closed_programmes_and_drafts(self, client, catalogue):
        response = client.get("/programme/")
        assert titles(response) == ["Alpha", "Beta", "Delta"]
        assert response.context["closed_count"] == 1
        assert "1 beendetes Programm ist ausgeblendet" in response.content.decode()

    def test_status_filter_shows_closed_ones_on_request(self, client, catalogue):
        assert titles(client.get("/programme/?status=closed")) == ["Gamma"]
        assert titles(client.get("/programme/?status=open&status=announced")) == ["Alpha", "Delta"]

    def test_topics_combine_with_or(self, client, catalogue):
        assert titles(client.get("/programme/?topic=wohnen")) == ["Alpha", "Beta"]
        assert titles(client.get("/programme/?topic=wohnen&topic=klima")) == [
            "Alpha",
            "Beta",
            "Delta",
        ]

    def test_different_filters_combine_with_and(self, client, catalogue):
        assert titles(client.get("/programme/?topic=klima&kind=netzwerk")) == ["Beta"]
        assert titles(client.get("/programme/?topic=wohnen&level=land")) == ["Alpha"]

    def test_target_group_funder_and_principle(self, client, catalogue):
        assert titles(client.get("/programme/?target_group=vereine")) == ["Alpha"]
        assert titles(client.get("/programme/?funder=land-nrw")) == ["Alpha", "Delta"]
        assert titles(client.get("/programme/?principle=gemeinwohl-vor-ort")) == ["Alpha"]

    def test_municipality_by_slug_or_key_includes_everything_inside(self, client, catalogue):
        assert titles(client.get("/programme/?municipality=iserlohn")) == ["Alpha"]
        assert titles(client.get("/programme/?municipality=05962")) == ["Alpha"]
        assert titles(client.get("/programme/?municipality=regierungsbezirk-arnsberg")) == ["Alpha"]
        assert titles(client.get("/programme/?municipality=05")) == ["Alpha", "Beta"]

    def test_deadline_before(self, client, catalogue, today):
        later = (today + 30 * DAY).isoformat()
        sooner = (today + 5 * DAY).isoformat()
        assert titles(client.get(f"/programme/?deadline_before={later}")) == ["Alpha"]
        assert titles(client.get(f"/programme/?deadline_before={sooner}")) == []

    def test_sort_by_deadline_puts_programmes_without_deadline_last(self, client, catalogue):
        assert titles(client.get("/programme/?sort=deadline"))[0] == "Alpha"

    def test_search_defaults_to_relevance_order(self, client, catalogue):
        Programme.objects.filter(title="Delta").update(summary="Alpha-Kenner gesucht.")
        response = client.get("/programme/?q=Alpha")
        assert response.context["sort"] == "relevance"
        assert titles(response) == ["Alpha", "Delta"]

    def test_the_same_filterset_serves_other_outputs(self, catalogue):
        filterset = ProgrammeFilterSet({"topic": ["klima"], "status": ["closed", "announced"]})
        assert filterset.is_valid()
        assert sorted(p.title for p in filterset.qs) == ["Delta", "Gamma"]


@pytest.mark.django_db
class TestFacetCounts:
    def test_counts_without_filters_follow_the_status_default(self, client, catalogue):
        response = client.get("/programme/")
        assert response.context["total"] == 3
        assert counts(response, "topic") == {"klima": 2, "wohnen": 2}
        assert counts(response, "kind")["foerderprogramm"] == 1
        assert counts(response, "status") == {
            "open": 1,
            "upcoming": 0,
            "running": 1,
            "closed": 1,
            "announced": 1,
        }

    def test_a_facet_ignores_its_own_filter_but_applies_the_others(self, client, catalogue):
        response = client.get("/programme/?topic=wohnen&kind=netzwerk")
        assert response.context["total"] == 1
        # topic counts: everything of kind "netzwerk" (Beta has both topics)
        assert counts(response, "topic") == {"klima": 1, "wohnen": 1}
        # kind counts: everything about "wohnen" (Alpha: Förderprogramm, Beta: Netzwerk)
        kinds = counts(response, "kind")
        assert (kinds["foerderprogramm"], kinds["netzwerk"], kinds["qualifizierung"]) == (1, 1, 0)
        assert counts(response, "funder") == {"bund": 1, "land-nrw": 0}

    def test_zero_options_are_disabled_but_chosen_ones_stay_usable(self, client, catalogue):
        page = client.get("/programme/?topic=wohnen&kind=netzwerk").content.decode()
        assert 'value="qualifizierung" id="f-kind-qualifizierung" disabled' in page
        assert 'value="netzwerk" id="f-kind-netzwerk" checked' in page

    def test_active_filters_become_removable_chips(self, client, catalogue):
        response = client.get("/programme/?topic=wohnen&topic=klima&kind=netzwerk")
        chips = {(c.parameter, c.value): c.href for c in response.context["chips"]}
        # The list sees its parameters sorted, as the page cache keys them (core.page_cache).
        assert chips[("Thema", "Wohnen")] == "/programme/?kind=netzwerk&topic=klima"
        assert chips[("Art", "Netzwerk")] == "/programme/?topic=klima&topic=wohnen"


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ("topic=gibt-es-nicht", "topic"),
            ("status=offen", "status"),
            ("kind=xyz", "kind"),
            ("deadline_before=2026-02-30", "deadline_before"),
            ("deadline_before=21.11.2026", "deadline_before"),
            ("municipality=atlantis", "municipality"),
            ("sort=random", "sort"),
            ("page=abc", "page"),
            ("page=0", "page"),
            ("page=99", "page"),
            ("q=" + "x" * 201, "q"),
            ("q=null%00byte", "q"),
        ],
    )
    def test_bad_parameters_get_400_naming_the_parameter(self, client, catalogue, query, parameter):
        response = client.get(f"/programme/?{query}")
        assert response.status_code == 400
        assert [e.parameter for e in response.context["errors"]] == [parameter]
        assert f"Parameter „{parameter}“" in response.content.decode()

    def test_municipality_list_rejects_unknown_regions_and_kinds(self, client, catalogue):
        assert client.get("/kommunen/?region=atlantis").status_code == 400
        assert client.get("/kommunen/?kind=dorf").status_code == 400
        assert client.get("/kommunen/?page=7").status_code == 400

    @pytest.mark.parametrize(
        "path",
        [
            "/programme/gibt-es-nicht/",
            "/programme/epsilon/",
            "/kommunen/atlantis/",
            "/leitbild/nichts/",
            "/themen/nichts/",
            "/irgendwas/",
        ],
    )
    def test_unknown_addresses_and_drafts_answer_404_in_site_design(self, client, catalogue, path):
        response = client.get(path)
        assert response.status_code == 404
        assert "Seite nicht gefunden" in response.content.decode()
        assert 'class="site-header"' in response.content.decode()


@pytest.mark.django_db
def test_empty_result_suggests_what_to_loosen(client, catalogue):
    page = client.get("/programme/?municipality=wuppertal&kind=qualifizierung").content.decode()
    assert "0 Programme gefunden" in page
    assert "Keine Programme gefunden" in page
    assert "Entfernen Sie einzelne Filter" in page


@pytest.mark.django_db
def test_a_test_running_past_midnight_still_sees_the_day_its_data_was_built_for(
    client, catalogue, today, monkeypatch
):
    """The `today` fixture holds the app's day: here the clock jumps eleven days, past the end
    of Alpha's window, and Alpha is still open (a dependable test, not a feature)."""
    from django.utils import timezone

    later = timezone.now() + 11 * DAY
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert timezone.localdate(later) == today + 11 * DAY  # conversions follow the clock
    assert titles(client.get("/programme/?status=open")) == ["Alpha"]
    deadline = (today + 10 * DAY).isoformat()
    assert titles(client.get(f"/programme/?deadline_before={deadline}")) == ["Alpha"]
