"""Nothing an editor does is lost: every change is recorded (who, when, what), an old version or
a deleted entry is restored from the admin, deleting what others use is refused with a message,
and published programmes are archived instead of deleted."""

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.db.models import ProtectedError
from django.urls import reverse

from municipalities.models import Municipality
from programmes.models import Framework, GuidingPrinciple, Link, Participation, Programme
from tests.admin_builders import make_editor
from tests.factories import add_participation, make_nrw_chain, make_principle, make_programme
from tests.test_admin import programme_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def admin_client_(client):
    client.force_login(User.objects.create_superuser("chefin", password="ein-langes-Testpasswort"))
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Who, when, what -------------------------------------------------------------------------------


def test_an_edit_is_recorded_with_the_version_before_it(editor_client, editor):
    programme = make_programme("Initiative ergreifen", summary="Alt.")
    Programme.history.all().delete()  # as if loaded from the fixtures: no history yet
    response = editor_client.post(
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        programme_post(title="Initiative ergreifen NRW", slug=programme.slug, summary="Neu."),
    )
    assert response.status_code == 302

    before, after = programme.history.order_by("history_date", "history_id")
    assert (before.title, before.summary, before.history_user) == (
        "Initiative ergreifen",
        "Alt.",
        None,
    )
    assert before.history_change_reason == "Stand vor der ersten erfassten Änderung"
    assert (after.title, after.summary, after.history_user) == (
        "Initiative ergreifen NRW",
        "Neu.",
        editor,
    )
    changed = {change.field for change in after.diff_against(before).changes}
    assert {"title", "summary"} <= changed

    page = editor_client.get(reverse("admin:programmes_programme_history", args=[programme.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "redakteurin" in content and "Initiative ergreifen NRW" in content
    assert "Alt. &rarr; Neu." in content.replace("\n", "")


def test_an_editor_restores_an_earlier_version(editor_client, editor):
    programme = make_programme("Initiative ergreifen", summary="Alt.")
    first = programme.history.latest()
    programme.summary = "Versehentlich überschrieben."
    programme.save()

    url = reverse("admin:programmes_programme_simple_history", args=[programme.pk, first.pk])
    form = editor_client.get(url)
    assert form.status_code == 200
    assert form.context["adminform"].form.initial["summary"] == "Alt."
    response = editor_client.post(
        url, programme_post(title=programme.title, slug=programme.slug, summary="Alt.")
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.summary == "Alt."
    assert programme.history.latest().history_user == editor


def test_looking_at_history_is_not_restoring_it(client):
    """A staff member who may only view programmes can open old versions but not save one."""
    viewer = User.objects.create_user("leserin", password="ein-langes-Testpasswort", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_programme", "view_historicalprogramme"])
    )
    client.force_login(viewer)
    programme = make_programme("Initiative ergreifen", summary="Alt.")
    first = programme.history.latest()
    programme.summary = "Neu."
    programme.save()
    url = reverse("admin:programmes_programme_simple_history", args=[programme.pk, first.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, programme_post(title=programme.title, slug=programme.slug))
    assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.summary == "Neu."


def test_publication_actions_are_recorded_per_programme(editor_client, editor):
    drafts = [make_programme(f"Entwurf {i}", publication="draft") for i in range(2)]
    editor_client.post(
        reverse("admin:programmes_programme_changelist"),
        {"action": "publish", "_selected_action": [str(p.pk) for p in drafts]},
    )
    for draft in drafts:
        latest = draft.history.latest()
        assert (latest.publication, latest.history_user) == ("published", editor)


def test_history_covers_principles_municipalities_and_participations(editor):
    chain = make_nrw_chain()
    principle = make_principle("Orte der Begegnung stärken")
    participation = add_participation(make_programme("Quartiere"), chain["wuppertal"])
    for model, obj in [
        (GuidingPrinciple, principle),
        (Municipality, chain["wuppertal"]),
        (Participation, participation),
        (Framework, principle.framework),
    ]:
        assert model.history.filter(id=obj.pk).exists(), model


# Deleted entries come back ---------------------------------------------------------------------


def test_a_deleted_link_is_listed_and_restored(editor_client, editor):
    programme = make_programme("Initiative ergreifen")
    link = Link.objects.create(programme=programme, title="Aufruf", url="https://example.org/a")
    link_id = link.pk
    response = editor_client.post(
        reverse("admin:programmes_link_delete", args=[link_id]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Link.objects.filter(pk=link_id).exists()

    listing = editor_client.get(reverse("admin:programmes_link_deleted"))
    assert listing.status_code == 200
    (row,) = listing.context["rows"]
    assert row["record"].title == "Aufruf"
    assert row["record"].history_user == editor

    restore = editor_client.post(
        row["restore_url"],
        {
            "programme": str(programme.pk),
            "title": "Aufruf",
            "url": "https://example.org/a",
            "position": "0",
        },
    )
    assert restore.status_code == 302
    assert Link.objects.get(pk=link_id).title == "Aufruf"
    assert editor_client.get(reverse("admin:programmes_link_deleted")).context["rows"] == []


def test_the_changelist_links_to_deleted_entries(editor_client):
    page = editor_client.get(reverse("admin:programmes_programme_changelist"))
    assert reverse("admin:programmes_programme_deleted") in page.content.decode()


# Deleting what others use ----------------------------------------------------------------------


def test_a_municipality_taking_part_somewhere_is_not_deleted(admin_client_):
    chain = make_nrw_chain()
    add_participation(make_programme("Quartiere"), chain["wuppertal"])
    url = reverse("admin:municipalities_municipality_delete", args=[chain["wuppertal"].pk])
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert page.context["protected"]  # Django lists what still refers to it
    response = admin_client_.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Municipality.objects.filter(pk=chain["wuppertal"].pk).exists()


def test_a_reference_appearing_during_deletion_gives_a_message_not_an_error(
    admin_client_, monkeypatch
):
    framework = make_principle("Orte der Begegnung stärken").framework

    def refuse(self, request, obj):
        raise ProtectedError("protected", set(framework.principles.all()))

    monkeypatch.setattr("core.admin_base.CatalogueAdmin.delete_model", refuse)
    monkeypatch.setattr(
        "core.admin_base.CatalogueAdmin.get_deleted_objects",
        lambda self, objs, request: ([], {}, set(), []),
    )
    url = reverse("admin:programmes_framework_delete", args=[framework.pk])
    response = admin_client_.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:programmes_framework_change", args=[framework.pk])
    (message,) = messages_of(response)
    assert message.startswith("Nicht gelöscht: der Eintrag wird noch verwendet von 1 Leitsätze")
    assert "Orte der Begegnung stärken" in message
    assert Framework.objects.filter(pk=framework.pk).exists()


def test_bulk_deleting_used_frameworks_is_refused_with_the_list(admin_client_):
    framework = make_principle("Orte der Begegnung stärken").framework
    response = admin_client_.post(
        reverse("admin:programmes_framework_changelist"),
        {"action": "delete_selected", "_selected_action": [str(framework.pk)], "post": "yes"},
    )
    assert response.status_code == 200
    assert response.context["protected"]
    assert Framework.objects.filter(pk=framework.pk).exists()


# Published programmes are archived ------------------------------------------------------------


def test_not_even_a_superuser_deletes_a_published_programme(admin_client_):
    programme = make_programme("Soziale Stadt")
    change = admin_client_.get(reverse("admin:programmes_programme_change", args=[programme.pk]))
    assert b'class="deletelink"' not in change.content

    url = reverse("admin:programmes_programme_delete", args=[programme.pk])
    offer = admin_client_.get(url)
    assert offer.status_code == 200
    assert "Archivieren statt löschen" in offer.content.decode()
    assert admin_client_.post(url, {"post": "yes"}).status_code == 200  # Django's form: ignored
    assert Programme.objects.get(pk=programme.pk).publication == "published"

    response = admin_client_.post(url, {"archive": "Archivieren"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.publication == "archived"
    assert programme.history.latest().publication == "archived"


def test_bulk_delete_refuses_a_selection_with_a_published_programme(admin_client_):
    published = make_programme("Soziale Stadt")
    draft = make_programme("Entwurf", publication="draft")
    response = admin_client_.post(
        reverse("admin:programmes_programme_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(published.pk), str(draft.pk)],
            "post": "yes",
        },
        follow=True,
    )
    assert "1 ausgewähltes Programm ist veröffentlicht" in response.content.decode()
    assert Programme.objects.count() == 2


def test_drafts_and_archived_programmes_may_be_deleted_by_an_administrator(admin_client_):
    draft = make_programme("Entwurf", publication="draft")
    archived = make_programme("Alt", publication="archived")
    for programme in (draft, archived):
        url = reverse("admin:programmes_programme_delete", args=[programme.pk])
        assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not Programme.objects.exists()
    assert Programme.history.filter(history_type="-").count() == 2
