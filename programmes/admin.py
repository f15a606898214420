"""The editors' workspace: every catalogue entry can be found, filtered and edited here.

Labels come from the models' German verbose names. Database constraints stay the authority;
the forms below repeat the date and self-reference rules only to put a plain German message
next to the field it concerns (a violated constraint otherwise appears once, at the top of the
form, under its technical name). The admin's change view runs in one transaction, so a
refused inline never leaves a half-saved programme behind.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_base import CatalogueAdmin
from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingBody,
    FundingType,
    GuidingPrinciple,
    Link,
    Measure,
    Participation,
    PrincipleArea,
    Programme,
    Source,
    TargetGroup,
    Topic,
)
from programmes.querysets import Status

admin.site.site_header = "Kommunalkompass NRW – Redaktion"
admin.site.site_title = "Kommunalkompass NRW"
admin.site.index_title = _("Katalog pflegen")

# /programme/feed/ is the Atom feed of the list: no programme may take that address.
RESERVED_SLUGS = frozenset({"feed"})

SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


def require_order(form, earlier: str, later: str, message) -> None:
    """Attach `message` to the later field when both dates are given and in the wrong order."""
    first, last = form.cleaned_data.get(earlier), form.cleaned_data.get(later)
    if first and last and last < first:
        form.add_error(later, message)


# Forms ---------------------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        require_order(self, "start_date", "end_date", _("Das Ende liegt vor dem Beginn."))
        if cleaned.get("slug") in RESERVED_SLUGS:
            self.add_error("slug", _("Diese Kurzadresse ist für eine Seite des Portals vergeben."))
        rate = cleaned.get("funding_rate")
        if rate is not None and not 0 <= rate <= 100:
            self.add_error("funding_rate", _("Die Förderquote liegt zwischen 0 und 100 %."))
        if self.instance.pk:
            for name, message in [
                ("parent", _("Ein Programm kann nicht Teil von sich selbst sein.")),
                ("predecessor", _("Ein Programm kann nicht sein eigener Vorgänger sein.")),
            ]:
                if cleaned.get(name) and cleaned[name].pk == self.instance.pk:
                    self.add_error(name, message)
        return cleaned


class ApplicationWindowForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        require_order(self, "opens", "closes", _("Die Frist liegt vor dem Beginn."))
        return cleaned


# Inlines -------------------------------------------------------------------------------------


class SourceInline(GenericTabularInline):
    model = Source
    fields = ["title", "url", "accessed"]
    extra = 0


class ApplicationWindowInline(admin.TabularInline):
    model = ApplicationWindow
    form = ApplicationWindowForm
    fields = ["opens", "closes", "note"]
    extra = 0


class LinkInline(admin.TabularInline):
    model = Link
    fields = ["title", "url", "position"]
    extra = 0


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["municipality", "role", "round", "note"]
    autocomplete_fields = ["municipality"]
    extra = 0


class PrincipleAreaInline(admin.TabularInline):
    model = PrincipleArea
    fields = ["title", "slug", "position"]
    prepopulated_fields = {"slug": ("title",)}
    extra = 0


class MeasureInline(admin.TabularInline):
    model = Measure
    fields = ["text", "position"]
    formfield_overrides = SHORT_TEXT
    extra = 0


# Programmes ----------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """The derived status (from dates and application windows), as annotated by with_status()."""

    title = _("Status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Programme)
class ProgrammeAdmin(CatalogueAdmin):
    form = ProgrammeForm
    list_display = [
        "title",
        "kind",
        "level",
        "funding_body",
        "publication",
        "derived_status",
        "updated",
    ]
    list_filter = [
        "publication",
        StatusFilter,
        "kind",
        "level",
        "topics",
        ("funding_body", admin.RelatedOnlyFieldListFilter),
        "is_synthetic",
    ]
    list_select_related = ["funding_body"]
    search_fields = ["title", "short_name", "slug"]
    search_help_text = _("Titel, Kurzname oder Kurzadresse; findet auch gebeugte Wörter.")
    autocomplete_fields = [
        "parent",
        "predecessor",
        "funding_body",
        "region",
        "topics",
        "target_groups",
        "funding_types",
        "principles",
    ]
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ["derived_status", "is_synthetic", "created", "updated"]
    fieldsets = [
        (_("Grunddaten"), {"fields": ["title", "short_name", "slug", "summary", "description"]}),
        (
            _("Einordnung"),
            {
                "fields": [
                    "kind",
                    "level",
                    "funding_body",
                    "funding_types",
                    "topics",
                    "target_groups",
                    "region",
                ]
            },
        ),
        (_("Beträge"), {"fields": ["total_budget", "max_grant", "funding_rate", "amount_note"]}),
        (
            _("Zeitraum"),
            {
                "fields": ["start_date", "end_date", "is_announced", "derived_status"],
                "description": _(
                    "Antragsfenster stehen unten. Der Status ergibt sich aus den Daten."
                ),
            },
        ),
        (
            _("Kontakt & Links"),
            {
                "fields": ["website", "contact", "contact_email"],
                "description": _("Weitere offizielle Links stehen unten."),
            },
        ),
        (_("Beziehungen"), {"fields": ["parent", "predecessor", "principles"]}),
        (_("Veröffentlichung"), {"fields": ["publication", "is_synthetic", "created", "updated"]}),
    ]
    inlines = [ApplicationWindowInline, LinkInline, ParticipationInline, SourceInline]
    actions = ["publish", "withdraw_to_draft", "archive"]
    save_on_top = True

    def get_queryset(self, request):
        # The stored search vector is never shown; it is the largest column of the row.
        return super().get_queryset(request).with_status().defer("search_vector")

    def get_view_on_site_url(self, obj=None):
        # The public site shows published programmes only; a draft's link would be a 404.
        if obj is not None and not obj.is_public:
            return None
        return super().get_view_on_site_url(obj)

    def get_search_results(self, request, queryset, search_term):
        """Substring search on the names, or German full-text search on the stored vector."""
        from programmes.querysets import search_query

        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(search_vector=search_query(search_term))
        return results, may_have_duplicates

    @admin.display(description=_("Status"), ordering="status")
    def derived_status(self, obj):
        status = getattr(obj, "status", None)  # absent on an unsaved programme
        return Status(status).label if status else None

    def _move_to(self, request, queryset, state: str, done_singular, done_plural):
        changed = list(queryset.exclude(publication=state).order_by())
        for programme in changed:  # one save each, so the history records every change
            programme.publication = state
            programme.save(update_fields=["publication", "updated"])
        field = str(Programme._meta.get_field("publication").verbose_name)
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": [field]}}],
        )
        count = len(changed)
        self.message_user(
            request,
            ngettext(done_singular, done_plural, count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    # Published programmes are archived, never deleted ---------------------------------------

    def has_delete_permission(self, request, obj=None):
        """Not even a superuser deletes a published programme: links to it and its history
        stay valid. Drafts and archived entries may be deleted by those allowed to."""
        if obj is not None and obj.publication == Programme.Publication.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        programme = self.get_object(request, unquote(object_id))
        may_delete = super().has_delete_permission(request)  # editors may not: Django's 403
        if not may_delete or programme is None or not programme.is_public:
            return super().delete_view(request, object_id, extra_context)
        return self.archive_instead_view(request, programme)

    def archive_instead_view(self, request, programme):
        """Asked to delete a published programme, the admin offers to archive it."""
        if not self.has_change_permission(request, programme):
            raise PermissionDenied
        if request.method == "POST" and "archive" in request.POST:
            programme.publication = Programme.Publication.ARCHIVED
            programme.save(update_fields=["publication", "updated"])
            field = str(Programme._meta.get_field("publication").verbose_name)
            self.log_change(request, programme, [{"changed": {"fields": [field]}}])
            self.message_user(
                request,
                _("„%(title)s“ ist archiviert und erscheint nicht mehr im Katalog.")
                % {"title": programme.title},
                messages.SUCCESS,
            )
            return redirect("admin:programmes_programme_change", programme.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": programme,
            "title": _("Archivieren statt löschen"),
        }
        return TemplateResponse(request, "admin/programmes/programme/archive_instead.html", context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self.delete_unpublished, name, description)
        return actions

    @staticmethod
    def delete_unpublished(modeladmin, request, queryset):
        """Django's "delete selected", refused while the selection holds a published one."""
        published = queryset.filter(publication=Programme.Publication.PUBLISHED).count()
        if published:
            modeladmin.message_user(
                request,
                ngettext(
                    "Nichts gelöscht: %(count)d ausgewähltes Programm ist veröffentlicht. "
                    "Veröffentlichte Programme werden archiviert, nicht gelöscht.",
                    "Nichts gelöscht: %(count)d ausgewählte Programme sind veröffentlicht. "
                    "Veröffentlichte Programme werden archiviert, nicht gelöscht.",
                    published,
                )
                % {"count": published},
                messages.ERROR,
            )
            return None
        return delete_selected(modeladmin, request, queryset)

    # Publication actions --------------------------------------------------------------------

    @admin.action(description=_("Ausgewählte veröffentlichen"), permissions=["change"])
    def publish(self, request, queryset):
        self._move_to(
            request,
            queryset,
            Programme.Publication.PUBLISHED,
            "%(count)d Programm veröffentlicht.",
            "%(count)d Programme veröffentlicht.",
        )

    @admin.action(description=_("Ausgewählte als Entwurf zurückziehen"), permissions=["change"])
    def withdraw_to_draft(self, request, queryset):
        self._move_to(
            request,
            queryset,
            Programme.Publication.DRAFT,
            "%(count)d Programm als Entwurf zurückgezogen.",
            "%(count)d Programme als Entwurf zurückgezogen.",
        )

    @admin.action(description=_("Ausgewählte archivieren"), permissions=["change"])
    def archive(self, request, queryset):
        self._move_to(
            request,
            queryset,
            Programme.Publication.ARCHIVED,
            "%(count)d Programm archiviert.",
            "%(count)d Programme archiviert.",
        )


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(CatalogueAdmin):
    form = ApplicationWindowForm
    list_display = ["programme", "opens", "closes", "note"]
    list_filter = ["closes", "opens"]
    list_select_related = ["programme"]
    search_fields = ["programme__title", "programme__short_name", "note"]
    autocomplete_fields = ["programme"]
    date_hierarchy = "closes"


@admin.register(Link)
class LinkAdmin(CatalogueAdmin):
    list_display = ["title", "url", "programme", "position"]
    list_select_related = ["programme"]
    search_fields = ["title", "url", "programme__title"]
    autocomplete_fields = ["programme"]


@admin.register(Participation)
class ParticipationAdmin(CatalogueAdmin):
    list_display = ["municipality", "role", "round", "programme"]
    list_filter = ["role", ("programme", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["municipality", "programme"]
    search_fields = ["municipality__name", "^municipality__key", "programme__title", "round"]
    autocomplete_fields = ["programme", "municipality"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """All sources at a glance, e.g. to find old reading dates. A source is added on the page of
    the entry it documents (programme, Leitbild, Leitsatz), so there is no add page here."""

    list_display = ["title", "subject_link", "accessed", "url"]
    list_filter = [("content_type", admin.RelatedOnlyFieldListFilter), "accessed"]
    search_fields = ["title", "url"]
    fields = ["title", "url", "accessed", "subject_link"]
    readonly_fields = ["subject_link"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("content_type").prefetch_related("subject")
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("gehört zu"))
    def subject_link(self, obj):
        subject = obj.subject
        if subject is None:
            return None
        opts = subject._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[subject.pk])
        except NoReverseMatch:
            return f"{opts.verbose_name}: {subject}"
        return format_html('{}: <a href="{}">{}</a>', opts.verbose_name, url, subject)


# Vocabularies --------------------------------------------------------------------------------


class NamedEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "programme_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(programme_count=Count("programmes"))

    @admin.display(description=_("Programme"), ordering="programme_count")
    def programme_count(self, obj):
        return obj.programme_count


admin.site.register(Topic, NamedEntryAdmin)
admin.site.register(TargetGroup, NamedEntryAdmin)
admin.site.register(FundingType, NamedEntryAdmin)


@admin.register(FundingBody)
class FundingBodyAdmin(NamedEntryAdmin):
    list_display = ["name", "short_name", "level", "programme_count", "url"]
    list_filter = ["level"]
    search_fields = ["name", "short_name", "slug"]


# Guiding principles --------------------------------------------------------------------------


@admin.register(Framework)
class FrameworkAdmin(CatalogueAdmin):
    list_display = ["title", "issuer", "position", "principle_count", "updated"]
    search_fields = ["title", "issuer", "summary"]
    prepopulated_fields = {"slug": ("title",)}
    fields = ["title", "slug", "issuer", "summary", "position", "created", "updated"]
    readonly_fields = ["created", "updated"]
    inlines = [PrincipleAreaInline, SourceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(principle_count=Count("principles"))

    @admin.display(description=_("Leitsätze"), ordering="principle_count")
    def principle_count(self, obj):
        return obj.principle_count


@admin.register(PrincipleArea)
class PrincipleAreaAdmin(CatalogueAdmin):
    list_display = ["title", "framework", "position"]
    list_filter = ["framework"]
    search_fields = ["title", "framework__title"]
    autocomplete_fields = ["framework"]
    prepopulated_fields = {"slug": ("title",)}

    def get_queryset(self, request):
        # __str__ names the Leitbild, also in autocomplete answers.
        return super().get_queryset(request).select_related("framework")


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(CatalogueAdmin):
    list_display = ["number", "title", "framework", "area", "updated"]
    list_display_links = ["number", "title"]
    list_filter = ["framework", "area"]
    list_select_related = ["framework", "area__framework"]
    search_fields = ["title", "text", "slug", "framework__title"]
    autocomplete_fields = ["framework", "area"]
    prepopulated_fields = {"slug": ("title",)}
    fields = ["framework", "area", "number", "title", "slug", "text", "created", "updated"]
    readonly_fields = ["created", "updated"]
    inlines = [MeasureInline, SourceInline]


@admin.register(Measure)
class MeasureAdmin(CatalogueAdmin):
    list_display = ["__str__", "principle", "position"]
    list_filter = ["principle__framework"]
    list_select_related = ["principle"]
    search_fields = ["text", "principle__title"]
    autocomplete_fields = ["principle"]
