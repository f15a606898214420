"""The programme admin: list, filters, search and the edit page's layout. Publication and
archiving live in programmes.admin.publication, the child rows' inlines in
programmes.admin.parts."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_base import CatalogueAdmin
from programmes.admin.filters import AttentionFilter, DeadlineFilter
from programmes.admin.forms import ProgrammeForm
from programmes.admin.link_checks import LinkCheckReport
from programmes.admin.parts import ApplicationWindowInline, LinkInline, ParticipationInline
from programmes.admin.publication import PublicationAdminMixin
from programmes.admin.sources import SourceInline
from programmes.admin.spreadsheet import SpreadsheetAdminMixin
from programmes.admin.workflow import WorkflowAdminMixin
from programmes.models import Programme
from programmes.querysets import Status


class StatusFilter(admin.SimpleListFilter):
    """The derived status (from dates and application windows), as annotated by with_status()."""

    title = _("Status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Programme)
class ProgrammeAdmin(
    LinkCheckReport,
    WorkflowAdminMixin,
    PublicationAdminMixin,
    SpreadsheetAdminMixin,  # export and import as XLSX/CSV
    CatalogueAdmin,
):
    form = ProgrammeForm
    # Essential columns first; the list fits 1280 px (tests/test_editorial_browser.py).
    list_display = ["title", "publication_state", "derived_status", "updated", "level", "funder"]
    list_filter = [
        "publication",
        StatusFilter,
        DeadlineFilter,
        AttentionFilter,
        "kind",
        "level",
        "topics",
        ("funding_body", admin.RelatedOnlyFieldListFilter),
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
    readonly_fields = [
        "derived_status",
        "former_slugs",
        "is_synthetic",
        "created",
        "updated",
        "link_checks",
    ]
    fieldsets = [
        (
            _("Grunddaten"),
            {"fields": ["title", "short_name", "slug", "former_slugs", "summary", "description"]},
        ),
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
                "fields": ["website", "contact", "contact_email", "link_checks"],
                "description": _("Weitere offizielle Links stehen unten."),
            },
        ),
        (_("Beziehungen"), {"fields": ["parent", "predecessor", "principles"]}),
        (
            _("Prüfung und Veröffentlichung"),
            {
                "fields": [
                    "facts_checked_on",
                    "publication",
                    "publish_at",
                    "withdraw_at",
                    "is_synthetic",
                    "created",
                    "updated",
                ]
            },
        ),
    ]
    inlines = [ApplicationWindowInline, LinkInline, ParticipationInline, SourceInline]
    save_on_top = True

    def get_queryset(self, request):
        # The stored search vector is never shown; it is the largest column of the row.
        programmes = super().get_queryset(request).with_status().defer("search_vector")
        if not settings.ADMIN_SHOW_SYNTHETIC:
            programmes = programmes.filter(is_synthetic=False)
        return programmes

    def get_list_filter(self, request):
        shown = super().get_list_filter(request)
        return [*shown, "is_synthetic"] if settings.ADMIN_SHOW_SYNTHETIC else shown

    def get_view_on_site_url(self, obj=None):
        # The public site shows published programmes only; a draft's link would be a 404.
        if obj is not None and not obj.is_public:
            return None
        return super().get_view_on_site_url(obj)

    def get_search_results(self, request, queryset, search_term):
        """Substring search on the names, or German full-text search on the stored vector."""
        from programmes.search import plan_search

        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        query = plan_search(search_term).query if search_term.strip() else None
        if query is not None:
            results |= queryset.filter(search_vector=query)
        return results, may_have_duplicates

    @admin.display(description=_("Fördergeber"), ordering="funding_body__name")
    def funder(self, obj):
        """The funder's short name where it has one: long ministry names pushed the list
        wider than the screen."""
        body = obj.funding_body
        return (body.short_name or body.name) if body else None

    @admin.display(description=_("Status"), ordering="status")
    def derived_status(self, obj):
        status = getattr(obj, "status", None)  # absent on an unsaved programme
        return Status(status).label if status else _("ergibt sich beim Speichern")
