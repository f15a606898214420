"""The editorial workflow: Entwurf → zur Prüfung → veröffentlicht → archiviert and back with a
reason, the two roles, the completeness check, scheduled publication that flips pages and
caches on time, and the editors' preview that the public never sees."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes.models import Programme, PublicationStep
from programmes.views import programme_preview
from programmes.workflow import WorkflowError, carry_out_schedule, missing_for_publication, move
from tests.admin_builders import make_editor, make_source
from tests.factories import make_funding_body, make_programme, make_target_group

pytestmark = pytest.mark.django_db
State = Programme.Publication


def make_publisher(username: str = "freigabe") -> User:
    """A staff user whose only rights come from the group „Freigabe“."""
    call_command("setup_roles", stdout=io.StringIO())
    user = User.objects.create_user(username, password="ein-langes-Testpasswort", is_staff=True)
    user.groups.add(Group.objects.get(name="Freigabe"))
    return user


def complete_programme(title="Dorferneuerung", **fields) -> Programme:
    """A programme with everything publishing asks for."""
    fields.setdefault("publication", State.DRAFT)
    programme = make_programme(
        title,
        funding_body=make_funding_body(f"Ministerium {title}"),
        target_groups=[make_target_group(f"Gemeinden {title}")],
        website="https://example.org/programm",
        **fields,
    )
    make_source(programme)
    return programme


def step_url(programme) -> str:
    return reverse("admin:programmes_programme_step", args=[programme.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Completeness and roles --------------------------------------------------


def test_publishing_lists_everything_that_is_missing():
    bare = make_programme("Kahl", publication=State.DRAFT, summary=" ")
    assert missing_for_publication(bare) == [
        "Kurzbeschreibung",
        "Fördergeber",
        "Zielgruppe (wer kann teilnehmen oder beantragen)",
        "mindestens eine Quelle",
        "offizielle Seite oder offizieller Link",
    ]
    with pytest.raises(WorkflowError, match="Zum Veröffentlichen fehlt: Kurzbeschreibung"):
        move(bare, State.PUBLISHED, user=make_publisher())
    assert Programme.objects.get(pk=bare.pk).publication == State.DRAFT
    assert missing_for_publication(complete_programme()) == []


def test_editor_submits_for_review_but_cannot_publish():
    editor = logged_in(make_editor())
    programme = complete_programme()

    editor.post(step_url(programme), {"to": State.REVIEW, "note": "Bitte prüfen"})
    programme.refresh_from_db()
    assert programme.publication == State.REVIEW

    response = editor.post(step_url(programme), {"to": State.PUBLISHED}, follow=True)
    assert "nur die Freigabe" in response.content.decode()
    assert not Programme.objects.published().exists()
    page = editor.get(reverse("admin:programmes_programme_change", args=[programme.pk]))
    buttons = {str(m.label) for m in page.context["workflow_moves"]}
    assert buttons == {"Zurück an die Redaktion"}


def test_publisher_publishes_and_every_step_records_who_when_and_why():
    publisher_user = make_publisher()
    publisher = logged_in(publisher_user)
    programme = complete_programme()
    move(programme, State.REVIEW, user=make_editor(), note="Bitte prüfen")

    response = publisher.post(step_url(programme), {"to": State.PUBLISHED}, follow=True)
    assert "ist jetzt: veröffentlicht" in response.content.decode()
    assert list(Programme.objects.published()) == [programme]

    refused = publisher.post(step_url(programme), {"to": State.DRAFT, "note": " "}, follow=True)
    assert "Bitte einen Grund" in refused.content.decode()
    publisher.post(step_url(programme), {"to": State.DRAFT, "note": "Frist falsch"})
    steps = [
        (s.from_state, s.to_state, s.user.username, s.note)
        for s in PublicationStep.objects.filter(programme=programme).order_by("at", "pk")
    ]
    assert steps == [
        (State.DRAFT, State.REVIEW, "redakteurin", "Bitte prüfen"),
        (State.REVIEW, State.PUBLISHED, "freigabe", ""),
        (State.PUBLISHED, State.DRAFT, "freigabe", "Frist falsch"),
    ]
    page = publisher.get(reverse("admin:programmes_programme_change", args=[programme.pk]))
    assert "Frist falsch" in page.content.decode()


def test_an_unknown_step_is_refused_with_a_message():
    publisher = logged_in(make_publisher())
    programme = complete_programme()
    response = publisher.post(step_url(programme), {"to": "gone"}, follow=True)
    assert response.status_code == 200
    assert "Unbekannter Schritt" in response.content.decode()
    response = publisher.post(step_url(programme), {"to": State.ARCHIVED}, follow=True)
    archived = publisher.post(step_url(programme), {"to": State.REVIEW}, follow=True)
    assert "führt kein Schritt" in archived.content.decode()


def test_only_publishers_set_the_schedule():
    programme = complete_programme()
    url = reverse("admin:programmes_programme_change", args=[programme.pk])
    editor_form = logged_in(make_editor()).get(url).context["adminform"].form
    assert "publish_at" not in editor_form.fields and "publication" not in editor_form.fields
    publisher_form = logged_in(make_publisher()).get(url).context["adminform"].form
    assert "publish_at" in publisher_form.fields and "withdraw_at" in publisher_form.fields


def test_setup_roles_gives_only_the_freigabe_the_right_to_publish():
    assert make_publisher().has_perm("programmes.publish_programme")
    editor = make_editor()
    assert not editor.has_perm("programmes.publish_programme")
    assert editor.has_perm("programmes.view_publicationstep")
    assert not editor.has_perm("programmes.change_publicationstep")


# Scheduled publication --------------------------------------------------


def test_scheduled_publication_flips_pages_and_caches_at_its_time(client):
    at = timezone.now() + timedelta(hours=2)
    make_programme("Schon da", slug="schon-da")
    coming = complete_programme("Neu im Katalog", slug="neu", publish_at=at)
    leaving = complete_programme(
        "Läuft aus", slug="laeuft-aus", publication=State.PUBLISHED, withdraw_at=at
    )

    def listed():
        return {p.slug for p in client.get("/programme/").context["page"]}

    assert listed() == {"schon-da", "laeuft-aus"}
    assert client.get("/programme/laeuft-aus/").status_code == 200  # now in the page cache
    assert client.get("/programme/", headers={"if-none-match": "x"}).status_code == 200

    result = carry_out_schedule(now=at - timedelta(minutes=1))
    assert (result.published, result.withdrawn) == ([], [])
    assert client.get("/programme/neu/").status_code == 404

    result = carry_out_schedule(now=at)
    assert result.published == [coming] and result.withdrawn == [leaving]
    assert listed() == {"schon-da", "neu"}
    assert client.get("/programme/neu/").status_code == 200
    assert client.get("/programme/laeuft-aus/").status_code == 404
    coming.refresh_from_db()
    assert coming.publish_at is None
    step = coming.publication_steps.get()
    assert (step.user, step.at, step.note) == (None, at, "geplante Veröffentlichung")


def test_an_incomplete_programme_is_held_back_and_the_command_says_why():
    at = timezone.now() - timedelta(minutes=5)
    make_programme("Ohne Quelle", publication=State.REVIEW, publish_at=at)
    out, err = io.StringIO(), io.StringIO()
    call_command("publish_scheduled", stdout=out, stderr=err)
    assert "nicht veröffentlicht: Ohne Quelle – es fehlt Fördergeber" in err.getvalue()
    assert not Programme.objects.published().exists()


# Preview --------------------------------------------------


def preview_url(programme) -> str:
    return reverse("programmes:programme-preview", args=[programme.pk])


def test_preview_is_404_for_anonymous_visitors_and_never_cached(client):
    draft = complete_programme("Geheimer Entwurf", summary="Noch geheim.")
    response = client.get(preview_url(draft))
    assert response.status_code == 404
    assert "Noch geheim" not in response.content.decode()
    assert programme_preview.page_cache is False  # the page cache does not even look
    visitor = logged_in(User.objects.create_user("besucher", password="x" * 20))
    assert visitor.get(preview_url(draft)).status_code == 404  # an account is not enough


def test_preview_shows_a_draft_as_the_public_page_marked_and_not_indexed():
    editor = logged_in(make_editor())
    draft = complete_programme("Geheimer Entwurf", summary="Noch geheim.")
    response = editor.get(preview_url(draft))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vorschau – nicht veröffentlicht" in page and "Noch geheim." in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response  # the page cache did not describe it for keeping
    published = editor.get(draft.get_absolute_url())
    assert published.status_code == 404  # the public address stays closed
    for path in ["/sitemap-programme.xml", "/programme/feed/"]:
        listing = Client().get(path)
        assert listing.status_code == 200
        assert "Geheimer Entwurf" not in listing.content.decode() and "vorschau" not in (
            listing.content.decode()
        )
    assert editor.get(preview_url(Programme(pk=999999))).status_code == 404


def test_change_page_offers_the_preview_and_a_link_to_share():
    programme = complete_programme()
    page = logged_in(make_editor()).get(
        reverse("admin:programmes_programme_change", args=[programme.pk])
    )
    content = page.content.decode()
    assert f'href="{preview_url(programme)}"' in content
    assert f"http://testserver{preview_url(programme)}" in content


def test_preview_of_unsaved_changes_shows_them_and_keeps_nothing(client):
    from django.contrib.admin.models import LogEntry

    from core.models import CatalogueVersion
    from tests.admin_forms import shown_form

    programme = complete_programme("Bürgerbusse", publication=State.PUBLISHED)
    editor = logged_in(make_editor())
    url = reverse("admin:programmes_programme_change", args=[programme.pk])
    data = {**shown_form(editor.get(url)), "summary": "Neu und ungespeichert.", "_preview": "1"}
    version = CatalogueVersion.objects.get().number

    response = editor.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "mit den ungespeicherten Änderungen" in page and "Neu und ungespeichert." in page
    programme.refresh_from_db()
    assert programme.summary == "Kurzbeschreibung von Bürgerbusse."
    assert CatalogueVersion.objects.get().number == version
    assert not LogEntry.objects.exists()
    assert (
        "Kurzbeschreibung von Bürgerbusse."
        in client.get(programme.get_absolute_url()).content.decode()
    )
    assert "erfolgreich" not in editor.get(url).content.decode()  # no message left behind


def test_the_list_shows_what_is_planned():
    at = timezone.make_aware(timezone.datetime(2030, 3, 1, 9, 0))
    complete_programme("Geplant", publish_at=at)
    complete_programme("Endet", publication=State.PUBLISHED, withdraw_at=at)
    page = logged_in(make_publisher()).get(reverse("admin:programmes_programme_changelist"))
    content = page.content.decode()
    assert "Entwurf, ab 01.03.2030 09:00" in content
    assert "veröffentlicht, bis 01.03.2030 09:00" in content


def test_preview_asks_for_the_second_factor_where_the_admin_does(settings):
    settings.ADMIN_REQUIRE_2FA = True
    draft = complete_programme()
    response = logged_in(make_editor()).get(preview_url(draft))  # password only, no TOTP code
    assert response.status_code == 404


def test_publishing_a_selection_publishes_the_complete_and_names_the_incomplete():
    ready = complete_programme("Fertig")
    bare = make_programme("Unfertig", publication=State.DRAFT)
    response = logged_in(make_publisher()).post(
        reverse("admin:programmes_programme_changelist"),
        {"action": "publish", "_selected_action": [str(ready.pk), str(bare.pk)]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 Programm veröffentlicht." in content
    assert "„Unfertig“: Zum Veröffentlichen fehlt: Fördergeber" in content
    assert list(Programme.objects.published()) == [ready]


def test_desk_names_a_scheduled_publication_that_was_held_back():
    from programmes.admin.desk import desk

    make_programme("Zurückgehalten", publication=State.REVIEW, publish_at=timezone.now())
    carry_out_schedule()
    sections = {s.title: [t for t, _url in s.entries] for s in desk(make_editor())}
    assert sections["Geplante Veröffentlichung zurückgehalten"] == ["Zurückgehalten"]
