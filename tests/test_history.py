"""Nothing an editor does is lost: every save is recorded (who, when, why, what – in German),
an old version is restored with everything it holds (topics, windows, participations …) or a
deleted entry brought back from the admin, deleting what others use is refused with a message,
and published programmes are archived instead of deleted."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.db.models import ProtectedError
from django.urls import reverse
from reversion.models import Revision, Version

from core.history import BASELINE_REASON
from municipalities.models import Municipality
from programmes.models import (
    ApplicationWindow,
    Framework,
    Link,
    Participation,
    Programme,
)
from tests.admin_builders import make_editor, make_source
from tests.admin_forms import inline_prefix, shown_form
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_topic,
)

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


def change_url(programme) -> str:
    return reverse("admin:programmes_programme_change", args=[programme.pk])


def versions_of(obj):
    return Version.objects.get_for_object(obj).select_related("revision__user").order_by("pk")


def state(programme: Programme) -> dict:
    """Everything a version of a programme holds, in comparable form."""
    programme = Programme.objects.get(pk=programme.pk)
    return {
        "fields": {f: getattr(programme, f) for f in ["title", "summary", "kind", "end_date"]},
        "topics": sorted(programme.topics.values_list("name", flat=True)),
        "windows": sorted(programme.application_windows.values_list("pk", "opens", "closes")),
        "participations": sorted(
            programme.participations.values_list("pk", "municipality__name", "role", "round")
        ),
        "links": sorted(programme.links.values_list("pk", "title", "url")),
        "sources": sorted(programme.sources.values_list("pk", "title")),
    }


# Who, when, why, what --------------------------------------------------------------------------


def test_an_edit_is_recorded_with_the_version_before_it(editor_client, editor):
    programme = make_programme("Initiative ergreifen", summary="Alt.")
    Revision.objects.all().delete()  # as if loaded from the fixtures: no history yet
    page = editor_client.get(change_url(programme))
    data = shown_form(page) | {"title": "Initiative ergreifen NRW", "summary": "Neu."}
    assert editor_client.post(change_url(programme), data).status_code == 302

    before, after = versions_of(programme)
    assert before.field_dict["summary"] == "Alt."
    assert (before.revision.user, before.revision.comment) == (None, BASELINE_REASON)
    assert (after.field_dict["summary"], after.revision.user) == ("Neu.", editor)

    history = editor_client.get(reverse("admin:programmes_programme_history", args=[programme.pk]))
    content = history.content.decode()
    assert "redakteurin" in content
    assert "<strong>Kurzbeschreibung:</strong> <del>Alt.</del> &rarr; <ins>Neu.</ins>" in content


def test_the_history_speaks_german_with_labels_dates_names_and_reason(editor_client):
    bildung, soziales = make_topic("Bildung"), make_topic("Soziales")
    programme = make_programme(
        "Initiative ergreifen", topics=[bildung, soziales], windows=[(date(2025, 1, 1), None)]
    )
    page = editor_client.get(change_url(programme))
    data = shown_form(page) | {"kind": "qualifizierung", "topics": [str(bildung.pk)]}
    data[f"{inline_prefix(page, ApplicationWindow)}-0-closes"] = "15.03.2025"
    assert editor_client.post(change_url(programme), data).status_code == 302

    history = editor_client.get(reverse("admin:programmes_programme_history", args=[programme.pk]))
    rows = history.context["rows"]
    changes = {(c.what, c.old, c.new) for c in rows[0]["changes"]}
    assert ("Art", "Förderprogramm", "Qualifizierung") in changes
    assert ("Themen", "Bildung, Soziales", "Bildung") in changes
    assert ("Antragsfenster „01.01.2025 – 15.03.2025“: Bis (Frist)", "–", "15.03.2025") in changes
    assert rows[0]["reason"]  # the admin's change message, never an empty column
    content = history.content.decode()
    assert "Verlauf" in content and "Historical" not in content and "History" not in content


def test_restoring_brings_back_topics_windows_and_participations_exactly(editor_client, editor):
    towns = make_nrw_chain()
    bildung, soziales = make_topic("Bildung"), make_topic("Soziales")
    programme = make_programme(
        "Initiative ergreifen",
        topics=[bildung, soziales],
        windows=[(date(2025, 1, 1), date(2025, 2, 1))],
        end_date=date(2025, 12, 31),
    )
    add_participation(programme, towns["wuppertal"], role="partner", round="2024")
    Link.objects.create(programme=programme, title="Aufruf", url="https://example.org/a")
    make_source(programme, title="Richtlinie")
    earlier, earlier_version = state(programme), versions_of(programme).last()

    page = editor_client.get(change_url(programme))
    data = shown_form(page) | {"topics": [str(bildung.pk)], "end_date": "30.06.2026"}
    windows, parts = inline_prefix(page, ApplicationWindow), inline_prefix(page, Participation)
    data[f"{windows}-0-closes"] = "15.03.2025"
    data[f"{parts}-0-DELETE"] = "on"
    data |= {
        f"{parts}-TOTAL_FORMS": "2",
        f"{parts}-1-municipality": str(towns["iserlohn"].pk),
        f"{parts}-1-role": "leitkommune",
    }
    assert editor_client.post(change_url(programme), data).status_code == 302
    changed = state(programme)
    assert changed["topics"] == ["Bildung"] and changed["fields"]["end_date"] == date(2026, 6, 30)
    assert [p[1] for p in changed["participations"]] == ["Iserlohn"]

    url = reverse("admin:programmes_programme_revision", args=[programme.pk, earlier_version.pk])
    form = editor_client.get(url)
    assert form.status_code == 200
    assert state(programme) == changed  # looking is not restoring
    response = editor_client.post(url, shown_form(form))
    assert response.status_code == 302

    assert state(programme) == earlier
    latest = versions_of(programme).last()
    assert latest.revision.user == editor
    assert latest.revision.comment.startswith("Wiederhergestellt: Stand vom ")
    assert versions_of(programme).filter(pk__gt=earlier_version.pk).count() == 2  # kept


def test_a_restore_leaves_the_publication_state_to_the_workflow(editor_client):
    programme = make_programme("Initiative ergreifen", summary="Alt.")
    published = versions_of(programme).last()
    programme.summary, programme.publication = "Neu.", "archived"
    programme.save()

    url = reverse("admin:programmes_programme_revision", args=[programme.pk, published.pk])
    response = editor_client.post(url, shown_form(editor_client.get(url)))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.summary, programme.publication) == ("Alt.", "archived")


def test_a_link_restored_from_its_own_history_leaves_the_programme_alone(editor_client):
    programme = make_programme("Initiative ergreifen")
    link = Link.objects.create(programme=programme, title="Aufruf", url="https://example.org/a")
    before = versions_of(link).last()
    link.title = "Aufruf 2026"
    link.save()
    programme.title = "Initiative ergreifen NRW"
    programme.save()

    history = editor_client.get(reverse("admin:programmes_link_history", args=[link.pk]))
    (change,) = history.context["rows"][0]["changes"]  # the link's own fields only
    assert (change.what, change.old, change.new) == ("Titel", "Aufruf", "Aufruf 2026")
    url = reverse("admin:programmes_link_revision", args=[link.pk, before.pk])
    assert editor_client.post(url, shown_form(editor_client.get(url))).status_code == 302
    assert Link.objects.get(pk=link.pk).title == "Aufruf"
    assert Programme.objects.get(pk=programme.pk).title == "Initiative ergreifen NRW"


def test_looking_at_history_is_not_restoring_it(client):
    """A staff member who may only view programmes can open old versions but not save one."""
    viewer = User.objects.create_user("leserin", password="ein-langes-Testpasswort", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_programme"))
    client.force_login(viewer)
    programme = make_programme("Initiative ergreifen", summary="Alt.")
    first = versions_of(programme).last()
    programme.summary = "Neu."
    programme.save()
    url = reverse("admin:programmes_programme_revision", args=[programme.pk, first.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert client.post(url, {"title": programme.title}).status_code == 403
    programme.refresh_from_db()
    assert programme.summary == "Neu."


def test_a_workflow_action_records_each_programme_on_its_own(editor_client, editor):
    drafts = [make_programme(f"Entwurf {i}", publication="draft") for i in range(2)]
    editor_client.post(
        reverse("admin:programmes_programme_changelist"),
        {"action": "submit_for_review", "_selected_action": [str(p.pk) for p in drafts]},
    )
    latest = [versions_of(draft).last() for draft in drafts]
    assert [(v.field_dict["publication"], v.revision.user) for v in latest] == [
        ("review", editor),
        ("review", editor),
    ]
    assert latest[0].revision != latest[1].revision  # restoring one leaves the other alone


def test_every_catalogue_model_keeps_a_history_shown_in_the_admin(editor_client):
    chain = make_nrw_chain()
    principle = make_principle("Orte der Begegnung stärken")
    programme = make_programme("Quartiere")
    for obj in [
        principle,
        principle.framework,
        chain["wuppertal"],
        add_participation(programme, chain["wuppertal"]),
        make_topic("Bildung"),
        make_funding_body("Ministerium für Heimat"),
        make_source(programme, title="Richtlinie"),
    ]:
        opts = obj._meta
        page = editor_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        )
        assert page.status_code == 200, opts.label
        assert page.context["rows"], opts.label


def test_a_topic_rename_is_in_its_own_history(editor_client):
    topic = make_topic("Bildung")
    url = reverse("admin:programmes_topic_change", args=[topic.pk])
    data = shown_form(editor_client.get(url)) | {"name": "Bildung und Lernen"}
    assert editor_client.post(url, data).status_code == 302
    history = editor_client.get(reverse("admin:programmes_topic_history", args=[topic.pk]))
    (change,) = history.context["rows"][0]["changes"]
    assert (change.what, change.old, change.new) == ("Name", "Bildung", "Bildung und Lernen")


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
    assert (row["title"], row["who"]) == ("Aufruf", "redakteurin")

    form = editor_client.get(row["restore_url"])
    assert form.status_code == 200
    restore = editor_client.post(row["restore_url"], shown_form(form))
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
    assert versions_of(programme).last().field_dict["publication"] == "archived"


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
    assert Version.objects.get_deleted(Programme).count() == 2
