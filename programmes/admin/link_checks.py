"""The link check in the admin: every checked address with its result and who cites it, and the
results on a programme's page next to its links. (The programme list's filter „Link defekt“
and the desk use programmes.link_status.with_failed_link.)"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.templatetags.static import static
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from core.models import LinkCheck
from programmes.link_status import programme_addresses, usages

_ICONS = {
    LinkCheck.Status.OK: "admin/img/icon-yes.svg",
    LinkCheck.Status.REDIRECT: "admin/img/icon-yes.svg",
    LinkCheck.Status.BROKEN: "admin/img/icon-no.svg",
    LinkCheck.Status.ERROR: "admin/img/icon-no.svg",
}


def _result(check: LinkCheck | None):
    if check is None:
        return _("noch nicht geprüft")
    icon = static(_ICONS[check.status])
    label = check.get_status_display()
    code = f" ({check.http_status})" if check.http_status else ""
    return format_html('<img src="{}" alt=""> {}{}', icon, label, code)


def _hint(check: LinkCheck | None):
    if check is None:
        return ""
    if check.proposed_url:
        return format_html(
            '{} <a href="{}" rel="noreferrer">{}</a>',
            _("Neue Adresse eintragen:"),
            check.proposed_url,
            check.proposed_url,
        )
    return check.error


def _checked(check: LinkCheck | None) -> str:
    return date_format(localtime(check.checked_at), "d.m.Y") if check else ""


def _row(role: str, url: str, check: LinkCheck | None) -> tuple:
    return role, url, url, _result(check), _checked(check), _hint(check)


class LinkCheckReport:
    """For the programme admin: the read-only field `link_checks`."""

    @admin.display(description=_("Ergebnis der Linkprüfung"))
    def link_checks(self, obj):
        addresses = programme_addresses(obj) if obj.pk else []
        if not addresses:
            return _("Keine Adressen.")
        checks = LinkCheck.objects.in_bulk([url for _role, url in addresses], field_name="url")
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td><a href="{}" rel="noreferrer">{}</a></td>'
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            (_row(role, url, checks.get(url)) for role, url in addresses),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("Wo"),
            _("Adresse"),
            _("Ergebnis"),
            _("geprüft am"),
            _("Hinweis"),
            rows,
        )


class MovedFilter(admin.SimpleListFilter):
    title = _("neuer Adresse")  # „Nach neuer Adresse“
    parameter_name = "umgezogen"

    def lookups(self, request, model_admin):
        return [("ja", _("vorgeschlagen (dauerhaft umgezogen)")), ("nein", _("keine"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.moved()
        if self.value() == "nein":
            return queryset.filter(proposed_url="")
        return queryset


class _CitedByChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        cited = usages([check.url for check in self.result_list])
        for check in self.result_list:
            check.cited_by = cited.get(check.url, [])


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    """Results of the weekly check (`manage.py check_links`); read-only, the fix is made where
    the address is cited."""

    list_display = ["url", "status_shown", "checked", "hint", "cited"]
    list_filter = ["status", MovedFilter]
    search_fields = ["url", "final_url"]
    list_per_page = 50
    fields = [
        "url",
        "status",
        "http_status",
        "final_url",
        "proposed_url",
        "redirects",
        "error",
        "checked_at",
        "failing_since",
    ]

    def get_changelist(self, request, **kwargs):
        return _CitedByChangeList

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Ergebnis"), ordering="status")
    def status_shown(self, obj):
        return _result(obj)

    @admin.display(description=_("geprüft am"), ordering="checked_at")
    def checked(self, obj):
        return _checked(obj)

    @admin.display(description=_("Hinweis"))
    def hint(self, obj):
        return _hint(obj)

    @admin.display(description=_("verwendet in"))
    def cited(self, obj):
        return format_html_join(
            mark_safe("<br>"),
            '{}: <a href="{}">{}</a>',
            ((usage.role, usage.admin_url, usage.owner) for usage in obj.cited_by),
        )
