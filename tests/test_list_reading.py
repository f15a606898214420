"""Lists that read well: chips and headings name things as people know them, addresses carry no
empty parameters, Leitsätze sit under their Leitbild, and hints speak plain German."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programmes.models import Framework
from tests.factories import (
    add_participation,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(today):
    chain = make_nrw_chain()
    digital = make_topic("Digitalisierung")
    housing = make_topic("Wohnen")
    first = Framework.objects.create(
        title="Nachhaltige Kommunenentwicklung", slug="nachhaltig", summary="…", position=1
    )
    second = Framework.objects.create(
        title="Kommunen innovativ", slug="innovativ", summary="…", position=2
    )
    soil = make_principle("Boden gemeinwohlorientiert vergeben", 1, first)
    make_principle("Orte günstigen Wohnens sichern", 2, first)
    make_principle("Daseinsvorsorge sichern", 1, second)
    smart = make_programme(
        "Smarte Stadt",
        topics=[digital],
        windows=[(today - timedelta(days=5), today + timedelta(days=20))],
    )
    smart.principles.add(soil)
    add_participation(smart, chain["iserlohn"], "partner")
    make_programme("Wohnen im Quartier", topics=[housing])
    make_programme("Altes Programm", topics=[digital], end_date=today - timedelta(days=1))
    return chain


def page_of(response) -> str:
    return unescape(response.content.decode())


def chip_texts(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", chip)).strip()
        for chip in re.findall(r'<a class="chip"[^>]*>(.*?)</a>', page)
    ]


class TestEmptyParametersLeaveTheAddress:
    def test_a_submitted_form_with_empty_fields_is_redirected_to_the_clean_address(
        self, client, catalogue
    ):
        address = "/programme/?q=Stadt&municipality=&topic=digitalisierung&deadline_before=&q=+"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 302
        assert response["Location"] == "/programme/?q=Stadt&topic=digitalisierung"  # in order
        assert len(queries) == 0  # answered before the page cache asks anything
        assert client.get(response["Location"]).status_code == 200

    def test_only_empty_fields_lead_to_the_bare_list(self, client, catalogue):
        assert client.get("/programme/?q=&deadline_before=")["Location"] == "/programme/"
        assert client.head("/kommunen/?q=&kind=&region=")["Location"] == "/kommunen/"
        assert (
            client.get("/themen/digitalisierung/?page=")["Location"] == "/themen/digitalisierung/"
        )

    def test_a_bad_parameter_still_gets_its_400_after_the_redirect(self, client, catalogue):
        response = client.get("/programme/?status=irgendwann&q=", follow=True)
        assert response.redirect_chain == [("/programme/?status=irgendwann", 302)]
        assert response.status_code == 400
        assert [error.parameter for error in response.context["errors"]] == ["status"]

    def test_the_api_answers_empty_parameters_itself(self, client, catalogue):
        assert client.get("/api/v1/programmes/?q=&topic=").status_code == 200

    def test_no_link_of_the_list_carries_an_empty_parameter(self, client, catalogue):
        page = page_of(client.get("/programme/?q=Stadt&topic=digitalisierung&status=open"))
        links = re.findall(r'href="(/programme/\?[^"]*)"', page)
        assert links, "the chips link back to the list"
        for link in links:
            assert not re.search(r"=(&|$)", link), link
        fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
        assert all(value for _name, value in fields), fields
        assert ("sort", "title") not in fields  # a sort nobody chose stays out of the form


class TestNamesNotKeys:
    def test_chips_name_the_filters_and_each_removes_only_its_own(self, client, catalogue, today):
        deadline = (today + timedelta(days=30)).isoformat()
        response = client.get(
            f"/programme/?q=Stadt&topic=digitalisierung&municipality=iserlohn"
            f"&principle=boden-gemeinwohlorientiert-vergeben&deadline_before={deadline}"
        )
        page = page_of(response)
        in_words = response.context["chips"][-1].value
        assert chip_texts(page) == [
            "Suchbegriff: Stadt × – Filter entfernen",
            "Thema: Digitalisierung × – Filter entfernen",
            "Leitsatz: 1. Boden gemeinwohlorientiert vergeben × – Filter entfernen",
            "Kommune: Iserlohn × – Filter entfernen",
            f"Antragsfrist bis: {in_words} × – Filter entfernen",
        ]
        assert re.fullmatch(r"\d{1,2}\. [A-ZÄÖÜ][a-zä]+ \d{4}", in_words)  # e.g. 1. Januar 2027
        topic_chip = response.context["chips"][1]
        assert topic_chip.href == (
            f"/programme/?deadline_before={deadline}&municipality=iserlohn"
            "&principle=boden-gemeinwohlorientiert-vergeben&q=Stadt"
        )
        assert "Filter (4" in page  # the search has its own field

    def test_the_municipality_list_names_its_region_and_kind(self, client, catalogue):
        region = catalogue["mk"].slug
        page = page_of(client.get(f"/kommunen/?region={region}&kind=stadt"))
        assert chip_texts(page) == [
            "Art: Stadt × – Filter entfernen",
            "Gebiet: Märkischer Kreis × – Filter entfernen",
        ]


def test_leitsaetze_are_grouped_under_their_leitbild_and_numbered_as_it_numbers_them(
    client, catalogue
):
    page = page_of(client.get("/programme/"))
    principles = page[page.index("<legend>Leitsatz</legend>") :]
    principles = principles[: principles.index("</fieldset>\n    </fieldset>")]
    groups = re.findall(r"<legend>([^<]+)</legend>", principles)
    assert groups == ["Leitsatz", "Nachhaltige Kommunenentwicklung", "Kommunen innovativ"]
    labels = re.findall(r'<label for="f-principle-[^"]+">([^<]+?) <span', principles)
    assert labels == [
        "1. Boden gemeinwohlorientiert vergeben",
        "2. Orte günstigen Wohnens sichern",
        "1. Daseinsvorsorge sichern",
    ]


class TestPlainGerman:
    def test_the_search_hint_shows_words_and_explains_operators_only_as_extra_help(
        self, client, catalogue
    ):
        page = page_of(client.get("/programme/"))
        hint = re.search(r'<p class="hint" id="q-hinweis">([^<]+)</p>', page).group(1)
        assert "-" not in hint and "Bürgerhaus" in hint
        tips = page[page.index('<details class="search-tips">') :]
        assert "Ein Minus schließt ein Wort aus" in tips[: tips.index("</details>")]

    def test_no_results_offer_concrete_ways_out(self, client, catalogue):
        page = page_of(client.get("/programme/?q=Smarte&topic=wohnen"))
        assert "0 Programme gefunden" in page
        empty = page[page.index('<div class="empty"') :]
        assert "oben" not in empty  # the filters are beside or behind a button, not above
        assert '<a href="/programme/?q=Smarte">„Thema: Wohnen“ entfernen</a>' in empty
        assert "Prüfen Sie die Schreibweise von „Smarte“" in empty
        assert '<a href="/programme/?topic=wohnen">Ohne Suchbegriff anzeigen</a>' in empty
        everything = re.search(r'<a href="([^"]+)">Alle Programme anzeigen, auch beendete', empty)
        assert set(re.findall(r"status=(\w+)", everything.group(1))) == {
            "open",
            "upcoming",
            "running",
            "closed",
            "announced",
        }

    def test_a_closed_match_is_offered_when_nothing_open_matches(self, client, catalogue):
        page = page_of(client.get("/programme/?q=Altes"))
        assert "1 beendetes Programm passt dazu – einblenden" in page
        shown = client.get(re.search(r'<a href="([^"]+)">1 beendetes Programm passt', page)[1])
        assert [p.title for p in shown.context["page"].object_list] == ["Altes Programm"]
