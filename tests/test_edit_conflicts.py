"""No lost edits: two editors open the same programme; whoever saves second is refused, keeps
their input and reads who saved what when. Inlines and choices are covered, nothing is saved
in half, and actions on a selection refuse entries saved since the list was loaded."""

import threading
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.edit_guard import TOKEN_FIELD, find_conflict
from programmes.models import ApplicationWindow, Programme
from tests.admin_builders import make_editor
from tests.admin_forms import inline_prefix, shown_form
from tests.factories import make_programme, make_topic

pytestmark = pytest.mark.django_db


def logged_in(username: str) -> Client:
    client = Client()
    user = make_editor(username)
    user.first_name, user.last_name = username.capitalize(), "Muster"
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def anna():
    return logged_in("anna")


@pytest.fixture
def ben():
    return logged_in("ben")


@pytest.fixture
def programme():
    return make_programme(
        "Initiative ergreifen",
        topics=[make_topic("Bildung"), make_topic("Soziales")],
        windows=[(date(2025, 1, 1), date(2025, 2, 1))],
    )


def url(programme) -> str:
    return reverse("admin:programmes_programme_change", args=[programme.pk])


def stored(programme) -> tuple:
    programme = Programme.objects.get(pk=programme.pk)
    return (
        programme.title,
        sorted(programme.topics.values_list("name", flat=True)),
        list(programme.application_windows.values_list("closes", flat=True)),
    )


def test_the_second_save_is_refused_and_the_first_survives(anna, ben, programme):
    bildung = programme.topics.get(name="Bildung")
    page_a, page_b = anna.get(url(programme)), ben.get(url(programme))
    windows = inline_prefix(page_a, ApplicationWindow)

    first = shown_form(page_a) | {"title": "Initiative ergreifen NRW", "topics": [str(bildung.pk)]}
    first[f"{windows}-0-closes"] = "15.03.2025"
    assert anna.post(url(programme), first).status_code == 302
    after_anna = stored(programme)
    assert after_anna == ("Initiative ergreifen NRW", ["Bildung"], [date(2025, 3, 15)])

    second = shown_form(page_b) | {"title": "Initiative ergreifen!", "summary": "Von Ben."}
    second[f"{windows}-0-closes"] = "28.02.2025"
    refused = ben.post(url(programme), second)
    assert refused.status_code == 200
    assert stored(programme) == after_anna
    assert Programme.objects.get(pk=programme.pk).summary != "Von Ben."

    errors = list(refused.context["adminform"].form.non_field_errors())
    assert errors[0].startswith(
        "Nicht gespeichert: „Initiative ergreifen NRW“ wurde inzwischen von Anna Muster am "
    )
    assert "Titel: vorher „Initiative ergreifen“, jetzt „Initiative ergreifen NRW“" in errors
    assert "Themen: vorher „Bildung, Soziales“, jetzt „Bildung“" in errors
    assert any(
        e.startswith("Antragsfenster „01.01.2025 – 15.03.2025“: Bis (Frist)") for e in errors
    )
    content = refused.content.decode()
    assert 'value="Initiative ergreifen!"' in content  # Ben's input is still there
    assert "Von Ben." in content


def test_a_change_only_to_an_inline_row_is_refused_too(anna, ben, programme):
    page_a, page_b = anna.get(url(programme)), ben.get(url(programme))
    windows = inline_prefix(page_a, ApplicationWindow)
    first = shown_form(page_a) | {f"{windows}-0-note": "Erster Aufruf"}
    assert anna.post(url(programme), first).status_code == 302

    second = shown_form(page_b) | {f"{windows}-0-closes": "28.02.2025"}
    assert ben.post(url(programme), second).status_code == 200
    window = programme.application_windows.get()
    assert (window.closes, window.note) == (date(2025, 2, 1), "Erster Aufruf")


def test_saving_again_after_reading_the_differences_is_deliberate(anna, ben, programme):
    page_a, page_b = anna.get(url(programme)), ben.get(url(programme))
    assert anna.post(url(programme), shown_form(page_a) | {"title": "Von Anna"}).status_code == 302
    refused = ben.post(url(programme), shown_form(page_b) | {"title": "Von Ben"})
    assert refused.status_code == 200
    again = shown_form(refused)  # the form now carries the version Ben has seen
    assert again[TOKEN_FIELD] != shown_form(page_b)[TOKEN_FIELD]
    assert ben.post(url(programme), again).status_code == 302
    assert Programme.objects.get(pk=programme.pk).title == "Von Ben"


def test_an_action_refuses_entries_saved_since_the_list_was_loaded(anna, ben, programme):
    draft = make_programme("Entwurf", publication="draft")
    listing = anna.get(reverse("admin:programmes_programme_changelist"))
    loaded_at = listing.context["loaded_at"]
    assert f'name="_loaded_at" value="{loaded_at}"' in listing.content.decode()

    page = ben.get(url(draft))
    assert ben.post(url(draft), shown_form(page) | {"summary": "Von Ben."}).status_code == 302

    response = anna.post(
        reverse("admin:programmes_programme_changelist"),
        {
            "action": "submit_for_review",
            "_selected_action": [str(draft.pk)],
            "_loaded_at": loaded_at,
        },
    )
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Nichts geändert: seit dem Laden der Liste wurden ausgewählte")
    assert "„Entwurf“ (von Ben Muster am " in message
    assert Programme.objects.get(pk=draft.pk).publication == "draft"


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_wait_for_each_other(programme):
    """The check locks the row: a second check waits for the first save to commit, then sees it."""
    from django.db import transaction

    from core.edit_guard import version_token

    token = version_token(programme)
    locked, checked = threading.Event(), {}

    def second_editor():
        with transaction.atomic():
            locked.wait(5)
            checked["conflict"], _now = find_conflict(Programme, programme.pk, token)
        connection.close()

    worker = threading.Thread(target=second_editor)
    worker.start()
    with transaction.atomic():
        assert find_conflict(Programme, programme.pk, token)[0] is None  # holds the row lock
        locked.set()
        worker.join(0.5)
        assert worker.is_alive()  # waiting for the lock
        Programme.objects.filter(pk=programme.pk).update(title="Gleichzeitig")
    worker.join(5)
    assert checked["conflict"] is not None
