"""The programme list's filters for what needs attention, in place of Django's default date
filters ("Letzte 7 Tage"): deadlines coming up, facts checked long ago, broken links."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.admin import attention


class DeadlineFilter(admin.SimpleListFilter):
    title = _("Antragsfrist")
    parameter_name = "frist"

    def lookups(self, request, model_admin):
        return [
            ("14", _("Frist in den nächsten 14 Tagen")),
            ("30", _("Frist in den nächsten 30 Tagen")),
            ("vorbei30", _("Frist in den letzten 30 Tagen abgelaufen")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() in ("14", "30"):
            return attention.deadline_within(queryset, today, int(self.value()))
        if self.value() == "vorbei30":
            return attention.deadline_passed_within(queryset, today, 30)
        return queryset


class AttentionFilter(admin.SimpleListFilter):
    title = _("Prüfen")
    parameter_name = "pruefen"

    def lookups(self, request, model_admin):
        return [
            ("geprueft12", _("geprüft vor mehr als 12 Monaten")),
            ("ohnequelle", _("ohne Quelle")),
            ("link", _("Link defekt")),
            ("widerspruch", _("Text und Daten widersprechen sich")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "geprueft12":
                return attention.facts_stale(queryset, today)
            case "ohnequelle":
                return attention.without_source(queryset)
            case "link":
                return attention.with_failed_link(queryset)
            case "widerspruch":
                return attention.contradictions(queryset, today)
        return queryset
