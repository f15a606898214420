from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_base import CatalogueAdmin
from municipalities.models import Municipality


def count_points(coordinates) -> int:
    """Number of positions in a GeoJSON coordinates array, at any nesting depth."""
    if not coordinates:
        return 0
    if isinstance(coordinates[0], (int, float)):
        return 1
    return sum(count_points(part) for part in coordinates)


@admin.register(Municipality)
class MunicipalityAdmin(CatalogueAdmin):
    list_display = ["key", "name", "kind", "parent", "population", "is_active"]
    list_display_links = ["key", "name"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "official_name"]
    search_help_text = _("Name, oder der Anfang des amtlichen Schlüssels (z. B. 05962).")
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["outline_summary", "created", "updated"]
    fieldsets = [
        (
            _("Grunddaten"),
            {"fields": ["key", "name", "official_name", "slug", "kind", "parent", "is_active"]},
        ),
        (_("Einwohner und Fläche"), {"fields": ["population", "population_date", "area_km2"]}),
        (
            _("Lage und Web"),
            {"fields": ["postcode", "latitude", "longitude", "outline_summary", "website"]},
        ),
        (_("Verlauf"), {"fields": ["created", "updated"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Digits search the official key by prefix (a region and everything inside it);
        anything else searches the names."""
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(key__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("Umriss"))
    def outline_summary(self, obj):
        outline = obj.outline
        if not outline:
            return None
        points = count_points(outline.get("coordinates", []))
        return _("%(type)s mit %(points)d Punkten (aus dem Grenzimport)") % {
            "type": outline.get("type", "?"),
            "points": points,
        }
