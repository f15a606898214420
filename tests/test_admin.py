"""The admin as editors use it: every page opens for the "Redaktion" group, nothing beyond the
catalogue is reachable, bad input is refused without half-saved rows, and lists stay cheap."""

import io
import re
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from municipalities.models import Municipality
from programmes.models import ApplicationWindow, Link, Programme
from tests.admin_builders import BUILDERS, build, make_editor, make_source
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_programme,
    make_topic,
)

pytestmark = pytest.mark.django_db

CATALOGUE_APPS = {"programmes", "municipalities"}
DELETABLE = {
    "programmes.applicationwindow",
    "programmes.link",
    "programmes.participation",
    "programmes.source",
    "programmes.goal",
    "programmes.measure",
    "programmes.synonymgroup",
}
NO_ADD_PAGE = {"programmes.source"}  # sources are added on the page of what they document


def admin_url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# Every page, for an editor --------------------------------------------------


def test_every_registered_catalogue_model_has_a_builder():
    registered = {
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.app_label in CATALOGUE_APPS
    }
    assert registered == set(BUILDERS)


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_editor_opens_changelist_add_and_change_page(editor_client, label):
    obj = build(label)

    changelist = editor_client.get(admin_url(label, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 1

    add = editor_client.get(admin_url(label, "add"))
    assert add.status_code == (403 if label in NO_ADD_PAGE else 200)

    change = editor_client.get(admin_url(label, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["has_change_permission"], "editors edit, they do not only look"
    assert b'name="_save"' in change.content
    assert (b'class="deletelink"' in change.content) == (label in DELETABLE)


def test_admin_speaks_german(editor_client):
    response = editor_client.get(reverse("admin:index"))
    content = response.content.decode()
    assert "Kommunalkompass NRW – Redaktion" in content
    assert "Programme" in content and "Kommunen" in content and "Leitsätze" in content
    assert "Abmelden" in content


def test_programme_form_groups_every_editable_field(editor_client):
    response = editor_client.get(admin_url("programmes.programme", "add"))
    fieldsets = [fs.name for fs in response.context["adminform"]]
    assert fieldsets == [
        "Grunddaten",
        "Einordnung",
        "Beträge",
        "Zeitraum",
        "Kontakt & Links",
        "Beziehungen",
        "Prüfung und Veröffentlichung",
    ]
    editable = {
        f.name
        for f in Programme._meta.get_fields()
        if getattr(f, "editable", False) and not f.auto_created and f.concrete or f.many_to_many
    }
    editable -= {"id", "created", "updated", "former_slugs"}  # kept by the app, shown read-only
    # The state moves only through the workflow's steps; the schedule is the Freigabe's.
    editable -= {"publication", "publish_at", "withdraw_at"}
    assert set(response.context["adminform"].form.fields) == editable


def test_timestamps_are_shown_but_not_editable(editor_client):
    programme = make_programme("Initiative ergreifen")
    response = editor_client.get(admin_url("programmes.programme", "change", programme.pk))
    form = response.context["adminform"].form
    assert "created" not in form.fields and "updated" not in form.fields
    assert {"created", "updated", "derived_status"} <= set(
        response.context["adminform"].readonly_fields
    )


def test_view_on_site_leads_to_the_public_page(editor_client):
    programme = make_programme("Ehrenamtskarte NRW")
    response = editor_client.get(admin_url("programmes.programme", "change", programme.pk))
    assert b"viewsitelink" in response.content
    ct = response.context["content_type_id"]
    redirect = editor_client.get(reverse("admin:view_on_site", args=[ct, programme.pk]))
    assert redirect.status_code == 302
    assert redirect["Location"].endswith("/programme/ehrenamtskarte-nrw/")


def test_a_draft_offers_no_link_to_the_public_site(editor_client):
    draft = make_programme("Landeswettbewerb Innenstädte", publication="draft")
    response = editor_client.get(admin_url("programmes.programme", "change", draft.pk))
    assert b"viewsitelink" not in response.content


# What editors cannot do --------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
    ],
)
def test_editor_cannot_reach_user_or_group_management(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editor_does_not_see_user_management_on_the_index(editor_client):
    content = editor_client.get(reverse("admin:index")).content.decode()
    assert "/admin/auth/" not in content
    assert "/admin/programmes/programme/" in content


def test_editor_cannot_delete_a_programme(editor_client):
    programme = make_programme("Soziale Stadt")
    response = editor_client.post(
        admin_url("programmes.programme", "delete", programme.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Programme.objects.filter(pk=programme.pk).exists()


# The group --------------------------------------------------


EXPECTED_PERMISSIONS = {
    f"{app}.{action}_{model}"
    for app, models in {
        "programmes": [
            "programme",
            "applicationwindow",
            "link",
            "participation",
            "source",
            "topic",
            "targetgroup",
            "fundingtype",
            "fundingbody",
            "framework",
            "principlearea",
            "guidingprinciple",
            "goal",
            "measure",
            "synonymgroup",
        ],
        "municipalities": ["municipality"],
    }.items()
    for model in models
    for action in ["add", "change", "view"]
} | {f"programmes.delete_{m}" for m in [label.split(".")[1] for label in DELETABLE]}
EXPECTED_PERMISSIONS.add("programmes.view_publicationstep")  # the workflow's log, read only
EXPECTED_PERMISSIONS.add("core.view_linkcheck")  # the link check's results, read only
# The change history (django-reversion) needs no permissions of its own: viewing an entry shows
# its versions, changing it restores one.


def group_permissions() -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Redaktion").permissions.select_related("content_type")
    }


def test_editor_group_has_exactly_the_expected_permissions(editor):
    assert group_permissions() == EXPECTED_PERMISSIONS
    assert len(EXPECTED_PERMISSIONS) == 57
    assert not any(
        p.startswith(("auth.", "admin.", "sessions.", "contenttypes."))
        for p in editor.get_all_permissions()
    )


def test_setup_roles_is_idempotent_and_repairs_drift():
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert f"„Redaktion“ angelegt mit {len(EXPECTED_PERMISSIONS)} Berechtigungen" in out.getvalue()

    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert f"„Redaktion“ ist aktuell ({len(EXPECTED_PERMISSIONS)} Berechtigungen)" in out.getvalue()

    group = Group.objects.get(name="Redaktion")
    group.permissions.add(Permission.objects.get(codename="add_user"))
    group.permissions.remove(Permission.objects.get(codename="change_programme"))
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert "1 Berechtigungen ergänzt, 1 entzogen" in out.getvalue()
    assert "+ programmes.change_programme" in out.getvalue()
    assert "− auth.add_user" in out.getvalue()
    assert group_permissions() == EXPECTED_PERMISSIONS

    out = io.StringIO()
    call_command("setup_roles", verbosity=0, stdout=out)  # as `make run` calls it
    assert out.getvalue() == ""


# Development admin --------------------------------------------------


def test_ensure_dev_admin_creates_the_account_once_and_shows_the_password_once(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("ensure_dev_admin", stdout=out)
    password = re.search(r"Passwort:\s+(\S+)", out.getvalue()).group(1)
    assert "http://127.0.0.1:8000/admin/login/" in out.getvalue()
    user = User.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)

    out = io.StringIO()
    call_command("ensure_dev_admin", stdout=out)
    assert "besteht bereits" in out.getvalue()
    assert password not in out.getvalue() and "Passwort:" not in out.getvalue()
    assert User.objects.get(username="admin").check_password(password)


def test_ensure_dev_admin_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="nur in der Entwicklung"):
        call_command("ensure_dev_admin", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()


# Invalid input is refused and nothing is half-saved ------------------------------------------


def management_form(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


SOURCE_PREFIX = "programmes-source-content_type-object_id"


def programme_post(windows=(), links=(), **fields) -> dict[str, str]:
    """The add/change form as the browser sends it; windows are (opens, closes) pairs."""
    data = {
        "title": "Stadtgespräche NRW",
        "slug": "stadtgespraeche-nrw",
        "summary": "Gespräche über Baukultur in den Städten.",
        "kind": "netzwerk",
        "level": "land",
        "publication": "draft",
        **management_form("application_windows", len(windows)),
        **management_form("links", len(links)),
        **management_form("participations"),
        **management_form(SOURCE_PREFIX),
    }
    for i, (opens, closes) in enumerate(windows):
        data[f"application_windows-{i}-opens"] = opens
        data[f"application_windows-{i}-closes"] = closes
    for i, (title, url) in enumerate(links):
        data[f"links-{i}-title"] = title
        data[f"links-{i}-url"] = url
        data[f"links-{i}-position"] = "0"
    data.update(fields)
    return data


def test_programme_ending_before_it_starts_is_refused_on_the_field(editor_client):
    response = editor_client.post(
        admin_url("programmes.programme", "add"),
        programme_post(
            start_date="2025-06-01", end_date="2025-05-31", windows=[("2025-06-01", "2025-06-30")]
        ),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"end_date": ["Das Ende liegt vor dem Beginn."]}
    assert "Das Ende liegt vor dem Beginn." in response.content.decode()
    assert not Programme.objects.exists()
    assert not ApplicationWindow.objects.exists()


def test_window_closing_before_it_opens_is_refused_and_the_programme_not_saved(editor_client):
    response = editor_client.post(
        admin_url("programmes.programme", "add"),
        programme_post(
            windows=[("2025-03-01", "2025-02-01")], links=[("Aufruf", "https://example.org/aufruf")]
        ),
    )
    assert response.status_code == 200
    window_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert window_errors == [{"closes": ["Die Frist liegt vor dem Beginn."]}]
    assert "Die Frist liegt vor dem Beginn." in response.content.decode()
    assert not Programme.objects.exists()
    assert not Link.objects.exists()


def test_invalid_inline_on_change_keeps_the_stored_programme_unchanged(editor_client):
    programme = make_programme("Engagementkongress", summary="Alt.")
    response = editor_client.post(
        admin_url("programmes.programme", "change", programme.pk),
        programme_post(
            title="Engagementkongress NRW",
            slug=programme.slug,
            summary="Neu.",
            windows=[("2025-03-01", "2025-02-01")],
        ),
    )
    assert response.status_code == 200
    programme.refresh_from_db()
    assert (programme.title, programme.summary) == ("Engagementkongress", "Alt.")
    assert not ApplicationWindow.objects.exists()


def test_programme_cannot_be_its_own_parent(editor_client):
    programme = make_programme("Kommunen innovativ")
    response = editor_client.post(
        admin_url("programmes.programme", "change", programme.pk),
        programme_post(title=programme.title, slug=programme.slug, parent=str(programme.pk)),
    )
    assert response.context["adminform"].form.errors == {
        "parent": ["Ein Programm kann nicht Teil von sich selbst sein."]
    }
    programme.refresh_from_db()
    assert programme.parent is None


def test_django_validates_model_check_constraints_in_full_clean():
    programme = Programme(
        title="X", slug="x", summary="X", kind="service", level="land", funding_rate=150
    )
    with pytest.raises(ValidationError) as excinfo:
        programme.full_clean()
    assert excinfo.value.messages == [
        "Bedingung „programme_funding_rate_percent“ ist nicht erfüllt."
    ]


def test_a_constraint_without_a_form_rule_still_shows_on_the_form(editor_client):
    """municipality_population_date_needs_population has no field rule: Django's constraint
    validation still refuses it on the form, before the database would."""
    data = {
        "key": "05962024",
        "name": "Iserlohn",
        "slug": "iserlohn",
        "kind": "stadt",
        "is_active": "on",
        "population_date": "2024-12-31",
    }
    response = editor_client.post(admin_url("municipalities.municipality", "add"), data)
    assert response.status_code == 200
    assert (
        "Bedingung „municipality_population_date_needs_population“ ist nicht erfüllt."
        in response.content.decode()
    )
    assert not Municipality.objects.exists()


def test_a_failure_while_saving_inlines_rolls_back_the_programme(editor_client, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("Verbindung verloren")

    monkeypatch.setattr(Link, "save", fail)
    with pytest.raises(DatabaseError):
        editor_client.post(
            admin_url("programmes.programme", "add"),
            programme_post(
                windows=[("2025-01-01", "2025-02-01")],
                links=[("Aufruf", "https://example.org/aufruf")],
            ),
        )
    assert not Programme.objects.exists()
    assert not ApplicationWindow.objects.exists()


def test_valid_programme_with_inlines_is_saved(editor_client):
    response = editor_client.post(
        admin_url("programmes.programme", "add"),
        programme_post(
            start_date="2025-01-01",
            end_date="2026-12-31",
            windows=[("2025-01-01", "2025-02-01")],
            links=[("Aufruf", "https://example.org/aufruf")],
        ),
    )
    assert response.status_code == 302
    programme = Programme.objects.get(slug="stadtgespraeche-nrw")
    assert programme.publication == "draft"
    assert programme.application_windows.count() == 1
    assert programme.links.count() == 1


# Actions, status, search --------------------------------------------------


def test_editors_submit_a_selection_for_review_but_cannot_publish_it(editor_client, editor):
    drafts = [make_programme(f"Entwurf {i}", publication="draft") for i in range(2)]
    url = admin_url("programmes.programme", "changelist")
    actions = [
        value
        for value, _label in editor_client.get(url).context["action_form"].fields["action"].choices
    ]
    assert "submit_for_review" in actions and "publish" not in actions and "archive" not in actions

    response = editor_client.post(
        url,
        {"action": "submit_for_review", "_selected_action": [str(p.pk) for p in drafts]},
        follow=True,
    )
    assert "2 Programme zur Prüfung gegeben." in response.content.decode()
    assert set(Programme.objects.values_list("publication", flat=True)) == {"review"}
    assert LogEntry.objects.filter(user=editor, action_flag=CHANGE).count() == 2
    editor_client.post(url, {"action": "publish", "_selected_action": [str(drafts[0].pk)]})
    assert not Programme.objects.published().exists()


def test_changelist_shows_and_filters_the_derived_status(editor_client):
    today = timezone.localdate()
    open_now = make_programme("Offen", windows=[(today - timedelta(days=1), today)])
    make_programme("Beendet", start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
    url = admin_url("programmes.programme", "changelist")

    response = editor_client.get(url, {"status": "open"})
    assert list(response.context["cl"].result_list) == [open_now]
    assert "Antrag möglich" in response.content.decode()

    response = editor_client.get(url, {"o": "6"})  # sort by the status column
    assert response.status_code == 200


def test_changelist_search_finds_inflected_words(editor_client):
    found = make_programme("Förderung des Ehrenamts")
    make_programme("Städtenetz Soziale Stadt")
    response = editor_client.get(
        admin_url("programmes.programme", "changelist"), {"q": "Förderungen"}
    )
    assert list(response.context["cl"].result_list) == [found]


def autocomplete(client, model_name: str, field_name: str, term: str) -> list[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "programmes",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_autocomplete_answers_for_programmes(editor_client):
    make_programme("Soziale Stadt")
    make_programme("Sozialer Zusammenhalt")
    make_programme("Ehrenamtskarte NRW")
    assert autocomplete(editor_client, "programme", "parent", "sozial") == [
        "Soziale Stadt",
        "Sozialer Zusammenhalt",
    ]


def test_autocomplete_answers_for_municipalities_by_name_and_key_prefix(editor_client):
    make_nrw_chain()
    assert autocomplete(editor_client, "participation", "municipality", "iserl") == ["Iserlohn"]
    assert autocomplete(editor_client, "programme", "region", "05962") == [
        "Iserlohn",
        "Märkischer Kreis",
    ]


def test_autocomplete_is_refused_to_anonymous_visitors(client):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "programmes",
            "model_name": "programme",
            "field_name": "parent",
            "term": "a",
        },
    )
    assert response.status_code == 302


def test_municipality_search_by_key_prefix(editor_client):
    make_nrw_chain()
    response = editor_client.get(
        admin_url("municipalities.municipality", "changelist"), {"q": "051"}
    )
    assert [m.name for m in response.context["cl"].result_list] == [
        "Regierungsbezirk Düsseldorf",
        "Wuppertal",
    ]


# Cost --------------------------------------------------


def test_programme_changelist_query_count_does_not_grow_with_rows(
    editor_client, django_assert_max_num_queries
):
    bodies = [make_funding_body(f"Ministerium {i}", short_name=f"M{i}") for i in range(5)]
    topics = [make_topic(f"Thema {i}") for i in range(5)]
    today = timezone.localdate()
    for i in range(30):
        make_programme(
            f"Programm {i:02}",
            funding_body=bodies[i % 5],
            topics=[topics[i % 5]],
            windows=[(today, today + timedelta(days=i))],
        )
    with django_assert_max_num_queries(9):
        response = editor_client.get(admin_url("programmes.programme", "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30
    assert "Programm 29" in response.content.decode()


def test_editor_saves_a_change_and_search_sees_it(editor_client):
    programme = make_programme("Initiative ergreifen")
    topic = make_topic("Bürgerschaftliches Engagement")
    response = editor_client.post(
        admin_url("programmes.programme", "change", programme.pk),
        programme_post(
            title="Initiative ergreifen NRW",
            slug=programme.slug,
            summary="Bürgerinnen und Bürger übernehmen Gebäude.",
            topics=[str(topic.pk)],
        ),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title == "Initiative ergreifen NRW"
    assert list(Programme.objects.published().search("Gebäuden")) == [programme]
    assert list(Programme.objects.search("Engagement")) == [programme]


def test_a_fully_filled_programme_page_renders(editor_client):
    chain = make_nrw_chain()
    parent = make_programme("Kommunen innovativ")
    programme = make_programme(
        "Digitale Modellregionen NRW",
        parent=parent,
        region=chain["nrw"],
        funding_body=make_funding_body("Ministerium für Wirtschaft", short_name="MWIKE"),
        topics=[make_topic("Digitalisierung")],
        windows=[(date(2025, 1, 1), None)],
    )
    Link.objects.create(programme=programme, title="Projektseite", url="https://example.org/")
    make_source(programme)
    add_participation(programme, chain["wuppertal"], role="leitkommune")
    response = editor_client.get(admin_url("programmes.programme", "change", programme.pk))
    content = response.content.decode()
    for text in [
        "Kommunen innovativ",
        "Nordrhein-Westfalen",
        "MWIKE",
        "Digitalisierung",
        "Projektseite",
        "Förderrichtlinie",
        "Wuppertal",
        "Leitkommune",
    ]:
        assert text in content


@pytest.mark.django_db
def test_programme_cannot_take_the_feed_address():
    from django.forms import modelform_factory

    from programmes.admin import ProgrammeForm

    form = modelform_factory(Programme, form=ProgrammeForm, fields=["title", "slug"])(
        data={"title": "Feed", "slug": "feed"}
    )
    form.is_valid()
    assert "Diese Kurzadresse ist für eine Seite des Portals vergeben." in form.errors["slug"]
