"""Sources: edited inline on the entry they document (programme, Leitbild, Leitsatz), and all
listed together to find, say, old reading dates."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_base import CatalogueAdmin
from programmes.models import Source


class SourceInline(GenericTabularInline):
    model = Source
    fields = ["title", "url", "accessed"]
    extra = 0


@admin.register(Source)
class SourceAdmin(CatalogueAdmin):
    """All sources at a glance. A source is added on the page of the entry it documents, so
    there is no add page here."""

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
