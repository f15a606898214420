"""The desk „Braucht Aufmerksamkeit“ on the admin start page and the programme list's filters
for the same things: each entry links to the page where it is fixed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import LinkCheck
from programmes.admin.desk import desk
from programmes.models import Programme
from tests.admin_builders import make_editor, make_source
from tests.factories import make_programme

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(make_editor())
    return client


def change_url(programme) -> str:
    return reverse("admin:programmes_programme_change", args=[programme.pk])


def sourced(title, **fields) -> Programme:
    fields.setdefault("facts_checked_on", timezone.localdate())
    programme = make_programme(title, **fields)
    make_source(programme, url=f"https://example.org/{programme.slug}")
    return programme


def test_desk_lists_each_kind_of_attention_with_links_to_fix_it(editor_client, today):
    sourced("Alles in Ordnung", windows=[(None, today + 60 * DAY)])
    waiting = sourced("Wartet", publication="review")
    stale = sourced("Alt geprüft", facts_checked_on=today - 400 * DAY)
    never = sourced("Nie geprüft", facts_checked_on=None)
    closing = sourced("Frist bald", windows=[(None, today + 10 * DAY)])
    closed = sourced("Frist vorbei", windows=[(None, today - 20 * DAY)])
    without = make_programme("Ohne Beleg", facts_checked_on=today)
    broken = sourced("Toter Link", website="https://example.org/weg")
    LinkCheck.objects.create(
        url="https://example.org/weg", status=LinkCheck.Status.BROKEN, checked_at=timezone.now()
    )
    text = sourced(
        "Widerspruch",
        summary="Das Programm läuft bis auf Weiteres.",
        start_date=today - 400 * DAY,
        end_date=today - DAY,
    )

    sections = {s.title: [title for title, _url in s.entries] for s in desk(make_editor("b"))}
    assert sections == {
        "Warten auf Prüfung": ["Wartet"],
        "Angaben seit über 12 Monaten nicht geprüft": ["Alt geprüft", "Nie geprüft"],
        "Frist endet in den nächsten 14 Tagen": ["Frist bald"],
        "Frist in den letzten 30 Tagen abgelaufen": ["Frist vorbei"],
        "Ohne Quelle": ["Ohne Beleg"],
        "Link defekt": ["Toter Link"],
        "Text und Daten widersprechen sich": ["Widerspruch"],
    }
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Braucht Aufmerksamkeit" in page
    for programme in [waiting, stale, never, closing, closed, without, broken, text]:
        assert f'href="{change_url(programme)}"' in page


def test_list_filters_show_the_same_entries_as_the_desk(editor_client, today):
    soon = sourced("Bald", windows=[(None, today + 10 * DAY)])
    month = sourced("In drei Wochen", windows=[(None, today + 21 * DAY)])
    sourced("Später", windows=[(None, today + 60 * DAY)])
    stale = sourced("Alt", facts_checked_on=today - 366 * DAY)
    url = reverse("admin:programmes_programme_changelist")

    def listed(**query):
        return {p.title for p in editor_client.get(url, query).context["cl"].result_list}

    assert listed(frist="14") == {soon.title}
    assert listed(frist="30") == {soon.title, month.title}
    assert listed(pruefen="geprueft12") == {stale.title}
    page = editor_client.get(url).content.decode()
    for label in [
        "Frist in den nächsten 14 Tagen",
        "geprüft vor mehr als 12 Monaten",
        "Link defekt",
    ]:
        assert label in page
    assert "Letzte 7 Tage" not in page


def test_the_desk_is_empty_when_nothing_needs_attention(editor_client, today):
    sourced("Gepflegt")
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Nichts offen" in page


def test_synthetic_entries_stay_out_of_the_editors_list_unless_asked(editor_client, settings):
    make_programme("Echt")
    make_programme("Erzeugt", is_synthetic=True)
    url = reverse("admin:programmes_programme_changelist")
    response = editor_client.get(url)
    assert [p.title for p in response.context["cl"].result_list] == ["Echt"]
    assert "synthetisch" not in response.content.decode()
    settings.ADMIN_SHOW_SYNTHETIC = True
    assert editor_client.get(url).context["cl"].result_count == 2


def test_the_add_form_says_how_the_status_comes_about(editor_client):
    page = editor_client.get(reverse("admin:programmes_programme_add")).content.decode()
    assert "ergibt sich beim Speichern" in page
    assert "None" not in page.split('id="content-main"')[1]


def test_application_windows_are_named_with_german_dates(today):
    programme = make_programme("Fenster", windows=[(today.replace(day=1), None)])
    window = programme.application_windows.get()
    assert str(window) == f"{today.replace(day=1):%d.%m.%Y} – …"


def test_application_windows_are_filtered_by_deadline_not_by_django_date_ranges(
    editor_client, today
):
    make_programme("Bald zu", windows=[(None, today + 5 * DAY)])
    make_programme("Lange offen", windows=[(None, today + 90 * DAY)])
    make_programme("Gerade zu", windows=[(None, today - 3 * DAY)])
    url = reverse("admin:programmes_applicationwindow_changelist")

    def listed(**query):
        response = editor_client.get(url, query)
        return [w.programme.title for w in response.context["cl"].result_list]

    assert listed(frist="14") == ["Bald zu"]
    assert listed(frist="vorbei30") == ["Gerade zu"]
    assert "Letzte 7 Tage" not in editor_client.get(url).content.decode()
