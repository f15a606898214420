"""What the catalogue says must be current: when its facts were checked, what a visitor can act
on first, addresses that survive a renamed programme, and the Leitbild's goals as it states
them."""

from datetime import timedelta

import pytest

from programmes.models import Goal, Measure
from tests.factories import make_principle, make_programme

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


class TestFactsChecked:
    def test_page_api_and_export_say_when_the_facts_were_checked(self, client, today):
        make_programme("Hallenbad", slug="hallenbad", facts_checked_on=today - 30 * DAY)

        page = client.get("/programme/hallenbad/").content.decode()
        assert "Angaben geprüft am:" in page
        assert f'datetime="{(today - 30 * DAY).isoformat()}"' in page
        assert "vor mehr als zwölf Monaten" not in page

        api = client.get("/api/v1/programmes/hallenbad/").json()
        assert api["facts_checked_on"] == (today - 30 * DAY).isoformat()
        export = client.get("/programme/export.csv")
        rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
        assert rows[0].endswith(",Angaben geprüft am")
        assert rows[1].endswith(f",{(today - 30 * DAY).isoformat()}")

    def test_a_check_older_than_twelve_months_is_flagged(self, client, today):
        make_programme("Alt", slug="alt", facts_checked_on=today - 366 * DAY)
        make_programme("Gerade noch", slug="gerade", facts_checked_on=today - 365 * DAY)
        make_programme("Nie", slug="nie", facts_checked_on=None)

        assert "vor mehr als zwölf Monaten" in client.get("/programme/alt/").content.decode()
        assert "vor mehr als zwölf Monaten" not in client.get("/programme/gerade/").content.decode()
        never = client.get("/programme/nie/").content.decode()
        assert "noch nicht mit den Quellen verglichen" in never
        assert "Angaben geprüft am:" not in never


class TestRenamedAddress:
    def test_a_changed_slug_answers_301_from_the_old_address(self, client):
        programme = make_programme("Lebensräume", slug="lebensrume")
        programme.slug = "lebensraeume"
        programme.save()
        programme.refresh_from_db()
        assert programme.former_slugs == ["lebensrume"]

        response = client.get("/programme/lebensrume/")
        assert response.status_code == 301
        assert response["Location"] == "/programme/lebensraeume/"
        assert client.get("/programme/lebensraeume/").status_code == 200

    def test_going_back_to_an_old_slug_drops_it_from_the_former_ones(self, client):
        programme = make_programme("Hallenbad", slug="hallenbad")
        programme.slug = "schwimmbad"
        programme.save()
        programme.slug = "hallenbad"
        programme.save()
        programme.refresh_from_db()
        assert programme.former_slugs == ["schwimmbad"]
        assert client.get("/programme/hallenbad/").status_code == 200

    def test_unknown_and_unpublished_addresses_stay_404(self, client):
        draft = make_programme("Entwurf", slug="neu", publication="draft")
        draft.slug = "neuer"
        draft.save()
        assert client.get("/programme/neu/").status_code == 404
        assert client.get("/programme/gibt-es-nicht/").status_code == 404


class TestHome:
    def test_leads_with_what_can_be_applied_for_and_hides_ended_news(self, client, today):
        make_programme("Offen mit Frist", windows=[(today - 5 * DAY, today + 20 * DAY)])
        make_programme("Bald offen", windows=[(today + 10 * DAY, today + 40 * DAY)])
        make_programme("Offen ohne Frist", windows=[(None, None)])
        make_programme("Frist vorbei", windows=[(today - 40 * DAY, today - 1 * DAY)])
        make_programme("Beendet", end_date=today - DAY, windows=[(None, None)])

        response = client.get("/")
        assert response.status_code == 200
        applicable = [p.title for p in response.context["applicable"]]
        assert applicable == ["Offen mit Frist", "Bald offen", "Offen ohne Frist"]
        newest = {p.title for p in response.context["newest"]}
        assert "Beendet" not in newest and "Offen mit Frist" in newest
        page = response.content.decode()
        assert page.index("Jetzt beantragen") < page.index("Neu im Katalog")


class TestShortName:
    def test_a_short_name_the_title_already_holds_is_not_repeated(self, client):
        make_programme("Kommunen innovativ", slug="ki", short_name="Kommunen innovativ")
        make_programme("ZUGG (Kommunen innovativ)", slug="zugg", short_name="ZUGG")
        make_programme("Entwicklungswerkstatt Engagement", slug="ews", short_name="EWS")
        assert "(Kommunen innovativ)</span>" not in client.get("/programme/ki/").content.decode()
        assert "(ZUGG)</span>" not in client.get("/programme/zugg/").content.decode()
        listing = client.get("/programme/").content.decode()
        assert "(ZUGG)</span>" not in listing
        assert '<span class="result__short">(EWS)</span>' in listing
        assert "(EWS)</span>" in client.get("/programme/ews/").content.decode()


def test_principle_page_shows_goals_with_their_proposals_in_order(client):
    principle = make_principle("Preisgünstiges Wohnen sichern")
    first = Goal.objects.create(
        principle=principle, text="Wohnpolitik ist gemeinwohlorientiert", position=1
    )
    second = Goal.objects.create(
        principle=principle, text="Preismodelle werden entworfen", position=2
    )
    Measure.objects.create(principle=principle, goal=second, text="Progressive Preise", position=3)
    Measure.objects.create(principle=principle, goal=first, text="Stiftungen stärken", position=1)
    Measure.objects.create(principle=principle, goal=first, text="Wohnraum fördern", position=2)

    page = client.get(principle.get_absolute_url()).content.decode()
    order = [
        "Wohnpolitik ist gemeinwohlorientiert",
        "Stiftungen stärken",
        "Wohnraum fördern",
        "Preismodelle werden entworfen",
        "Progressive Preise",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert page.count('<h3 class="goal">') == 2


def test_a_measure_cannot_stand_under_another_principles_goal():
    from django.core.exceptions import ValidationError

    one = make_principle("Eins")
    other = make_principle("Zwei", number=2)
    goal = Goal.objects.create(principle=other, text="Ziel", position=1)
    with pytest.raises(ValidationError):
        Measure(principle=one, goal=goal, text="Vorschlag").full_clean()


def test_a_funder_is_found_under_its_current_and_its_former_name(client):
    from tests.factories import make_funding_body

    ministry = make_funding_body(
        "Bundesministerium für Forschung, Technologie und Raumfahrt",
        level="bund",
        short_name="BMFTR",
        former_names="bis 2025: Bundesministerium für Bildung und Forschung (BMBF)",
    )
    make_programme("Kommunen innovativ", slug="kommunen-innovativ", funding_body=ministry)
    make_programme("Ohne Ministerium", slug="ohne")

    for words in ("BMBF", "BMFTR", "Raumfahrt", "Bildung und Forschung"):
        found = [p.slug for p in client.get("/programme/", {"q": words}).context["page"]]
        assert found == ["kommunen-innovativ"], words

    ministry.former_names = "bis 2025: Forschungsministerium (BMBF); davor: Wissenschaftsamt"
    ministry.save()
    found = [p.slug for p in client.get("/programme/", {"q": "Wissenschaftsamt"}).context["page"]]
    assert found == ["kommunen-innovativ"]


@pytest.mark.parametrize("publication", ["draft", "archived"])
def test_an_unpublished_parent_or_predecessor_stays_unnamed(client, publication):
    parent = make_programme("Geheimer Rahmen", slug="rahmen", publication=publication)
    before = make_programme("Geheimer Vorgänger", slug="vorher", publication=publication)
    make_programme("Sichtbar", slug="sichtbar", parent=parent, predecessor=before)

    page = client.get("/programme/sichtbar/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Geheimer" not in html
    assert "Teil von" not in html and "Vorgänger" not in html


def test_a_published_parent_and_predecessor_are_linked(client):
    parent = make_programme("Rahmenprogramm", slug="rahmen")
    before = make_programme("Altes Programm", slug="vorher")
    make_programme("Sichtbar", slug="sichtbar", parent=parent, predecessor=before)

    html = client.get("/programme/sichtbar/").content.decode()
    assert '<a href="/programme/rahmen/">Rahmenprogramm</a>' in html
    assert '<a href="/programme/vorher/">Altes Programm</a>' in html


@pytest.mark.parametrize("character", ["\x01", "\x0b", "\x1f", "\x7f"])
@pytest.mark.parametrize(
    "path", ["/programme/", "/programme/feed/", "/programme/fristen.ics", "/api/v1/programmes/",
             "/programme/export.csv", "/kommunen/"],
)  # fmt: skip
def test_a_control_character_in_a_search_is_a_clear_400_everywhere(client, path, character):
    make_programme("Hallenbad")
    response = client.get(path, {"q": f"Hallen{character}bad"})
    assert response.status_code == 400
    assert "Steuerzeichen sind nicht erlaubt" in response.content.decode()
