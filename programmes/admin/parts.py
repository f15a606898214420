"""A programme's own rows (application windows, links, participations): inlines on the
programme's page, and lists of their own to search across programmes."""

from django.contrib import admin

from core.admin_base import CatalogueAdmin
from programmes.admin.filters import WindowDeadlineFilter
from programmes.admin.forms import ApplicationWindowForm
from programmes.models import ApplicationWindow, Link, Participation


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


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(CatalogueAdmin):
    form = ApplicationWindowForm
    list_display = ["programme", "opens", "closes", "note"]
    list_filter = [WindowDeadlineFilter]
    list_select_related = ["programme"]
    search_fields = ["programme__title", "programme__short_name", "note"]
    autocomplete_fields = ["programme"]


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
