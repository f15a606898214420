"""The programme list's filters for what needs attention, in place of Django's default date
filters ("Letzte 7 Tage"): deadlines coming up, facts checked long ago, broken links."""

from datetime import timedelta

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

    within = staticmethod(attention.deadline_within)
    passed_within = staticmethod(attention.deadline_passed_within)

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() in ("14", "30"):
            return self.within(queryset, today, int(self.value()))
        if self.value() == "vorbei30":
            return self.passed_within(queryset, today, 30)
        return queryset


class WindowDeadlineFilter(DeadlineFilter):
    """The same choices for the list of application windows themselves."""

    title = _("Frist")

    @staticmethod
    def within(windows, today, days):
        return windows.filter(closes__gte=today, closes__lte=today + timedelta(days=days))

    @staticmethod
    def passed_within(windows, today, days):
        return windows.filter(closes__lt=today, closes__gte=today - timedelta(days=days))


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
