"""Synonym groups: editors say which words mean the same to people searching."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programmes.models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]
    fieldsets = [
        (
            None,
            {
                "fields": ["terms", "note"],
                "description": _(
                    "Eine Suche nach einem der Begriffe findet auch Programme mit den anderen. "
                    "Gebeugte Formen („Bürgerhäuser“) findet die Suche von selbst."
                ),
            },
        )
    ]
