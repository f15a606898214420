"""Guiding principles: frameworks (Leitbilder) with their areas, the principles (Leitsätze),
their goals and suggested measures."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin_base import CatalogueAdmin
from programmes.admin.sources import SourceInline
from programmes.models import Framework, Goal, GuidingPrinciple, Measure, PrincipleArea

SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class PrincipleAreaInline(admin.TabularInline):
    model = PrincipleArea
    fields = ["title", "slug", "position"]
    prepopulated_fields = {"slug": ("title",)}
    extra = 0


class GoalInline(admin.TabularInline):
    model = Goal
    fields = ["text", "position"]
    formfield_overrides = SHORT_TEXT
    extra = 0


class MeasureInline(admin.TabularInline):
    model = Measure
    fields = ["goal", "text", "position"]
    formfield_overrides = SHORT_TEXT
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the goals of the Leitsatz being edited are offered.
        if db_field.name == "goal":
            principle_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Goal.objects.filter(principle_id=principle_id or None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
    inlines = [GoalInline, MeasureInline, SourceInline]


@admin.register(Goal)
class GoalAdmin(CatalogueAdmin):
    list_display = ["__str__", "principle", "position"]
    list_filter = ["principle__framework"]
    list_select_related = ["principle"]
    search_fields = ["text", "principle__title"]
    autocomplete_fields = ["principle"]


@admin.register(Measure)
class MeasureAdmin(CatalogueAdmin):
    list_display = ["__str__", "principle", "goal", "position"]
    list_filter = ["principle__framework"]
    list_select_related = ["principle"]
    search_fields = ["text", "principle__title"]
    autocomplete_fields = ["principle"]
