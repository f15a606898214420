"""What every catalogue admin shares: the change history (django-simple-history) with restoring,
a list of deleted entries to bring back, and a clear message instead of an error page when an
entry cannot be deleted because others still refer to it."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError, RestrictedError, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

DELETED_SHOWN = 200


def refusal_message(error: ProtectedError | RestrictedError) -> str:
    """„Löschen nicht möglich: noch verwendet von 3 Programme (A, B, C …)."""
    referring = getattr(error, "protected_objects", None) or error.restricted_objects
    by_kind: dict[str, list[str]] = {}
    for obj in referring:
        by_kind.setdefault(str(capfirst(obj._meta.verbose_name_plural)), []).append(str(obj))
    parts = []
    for kind, names in by_kind.items():
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        parts.append(f"{len(names)} {kind} ({shown})")
    return _(
        "Nicht gelöscht: der Eintrag wird noch verwendet von %(referring)s. Bitte diese "
        "Verweise zuerst ändern."
    ) % {"referring": "; ".join(parts) or _("anderen Einträgen")}


class CatalogueAdmin(SimpleHistoryAdmin):
    """Base for the catalogue's admins.

    - "Verlauf" shows every version (who, when, what changed); an editor with change rights
      restores one with "Speichern".
    - "Gelöschte Einträge" (above the list) lists what was deleted, each restorable the same
      way.
    - Deleting something still referred to answers with a message naming the references,
      also when the reference appeared between confirmation and deletion.
    - Addresses prefilled from a title transliterate German letters (ä → ae, ß → ss).
    """

    change_list_template = "admin/history_change_list.html"
    object_history_list_template = "admin/history_list.html"

    class Media:
        # After Django's urlify.js, whose URLify it wraps (inline rows use it too).
        js = ["admin/js/urlify.js", "js/german-slug.js"]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history checks the view permission only; restoring (POST) is a change.
        if request.method == "POST":
            historical = self.model.history.model
            record = historical.objects.filter(
                **{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id}
            ).first()
            if record is None or not self.has_change_history_permission(request, record.instance):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Deleted entries ----------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        deleted = path(
            "deleted/",
            self.admin_site.admin_view(self.deleted_view),
            name=f"{opts.app_label}_{opts.model_name}_deleted",
        )
        return [deleted, *super().get_urls()]

    def deleted_view(self, request):
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        historical = self.model.history.model
        pk_name = opts.pk.attname
        # The last deletion record of every entry that does not exist (again) today.
        last_deletions = (
            historical.objects.filter(history_type="-")
            .exclude(**{f"{pk_name}__in": self.model._default_manager.values("pk")})
            .order_by(pk_name, "-history_date", "-history_id")
            .distinct(pk_name)
            .values("history_id")
        )
        records = (
            historical.objects.filter(history_id__in=Subquery(last_deletions))
            .select_related("history_user")
            .order_by("-history_date")[:DELETED_SHOWN]
        )
        rows = [
            {
                "record": record,
                "restore_url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                    args=[getattr(record, pk_name), record.history_id],
                ),
            }
            for record in records
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Gelöschte Einträge: %(kind)s") % {"kind": opts.verbose_name_plural},
            "rows": rows,
            "shown": DELETED_SHOWN,
        }
        return TemplateResponse(request, "admin/deleted_entries.html", context)

    # Deleting what others refer to ------------------------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ProtectedError, RestrictedError) as error:
            self.message_user(request, refusal_message(error), messages.ERROR)
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", object_id)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except (ProtectedError, RestrictedError) as error:
            self.message_user(request, refusal_message(error), messages.ERROR)
            return redirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ProtectedError, RestrictedError) as error:
            # An inline row deleted while something came to refer to it.
            self.message_user(request, refusal_message(error), messages.ERROR)
            return redirect(request.get_full_path())
