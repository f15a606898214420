"""The vocabularies programmes are filtered by: topics, target groups, funding types, funders;
each list shows how many programmes use an entry, each entry has its history."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin_base import CatalogueAdmin
from programmes.models import FundingBody, FundingType, TargetGroup, Topic


class NamedEntryAdmin(CatalogueAdmin):
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
