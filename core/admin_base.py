"""What every catalogue admin shares: the change history (django-reversion, core.history) with
readable differences and restoring, a list of deleted entries to bring back, the guard against
lost edits (core.edit_guard), and a clear message instead of an error page when an entry cannot
be deleted because others still refer to it."""

from contextlib import contextmanager

import reversion
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.edit_guard import VersionGuardAdminMixin, person
from core.history import is_part, kept_on_restore, revert_entry
from core.history_diff import differences, revision_state

HISTORY_PAGE = 25
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


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "d.m.Y, H:i")


class HistoryAdmin(VersionAdmin):
    """reversion's admin, with each entry an action changes recorded on its own (core.history):
    one revision for a whole selection would restore all of its entries at once."""

    def changelist_view(self, request, extra_context=None):
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    def reversion_register(self, model, **kwargs):
        """Apps say themselves what a version holds (core.history.track)."""

    @contextmanager
    def create_revision(self, request):
        with reversion.create_revision():
            reversion.set_user(request.user)
            yield
            if reason := getattr(request, "history_reason", ""):
                reversion.set_comment(reason)

    # The reason of a save: a note given with it (workflow), else the admin's change message.
    def log_addition(self, request, obj, message):
        entry = admin.ModelAdmin.log_addition(self, request, obj, message)
        if reversion.is_active() and not reversion.get_comment():
            reversion.set_comment(entry.get_change_message() or _("Angelegt."))
        return entry

    def log_change(self, request, obj, message):
        entry = admin.ModelAdmin.log_change(self, request, obj, message)
        if reversion.is_active() and not reversion.get_comment():
            reversion.set_comment(entry.get_change_message() or _("Ohne Änderungen gespeichert."))
        return entry


class CatalogueAdmin(VersionGuardAdminMixin, HistoryAdmin):
    """Base for the catalogue's admins.

    - "Verlauf" shows every version (who, when, why, what changed, in German); an editor with
      change rights opens one and restores it, with everything it follows, by saving.
    - "Gelöschte Einträge" (above the list) lists what was deleted, each restorable the same
      way.
    - A change form saved over a newer version is refused (core.edit_guard).
    - Deleting something still referred to answers with a message naming the references,
      also when the reference appeared between confirmation and deletion.
    - Addresses prefilled from a title transliterate German letters (ä → ae, ß → ss).
    """

    change_list_template = "admin/history_change_list.html"
    object_history_template = "admin/history_list.html"
    revision_form_template = "admin/history_revision.html"
    recover_form_template = "admin/history_revision.html"

    class Media:
        # After Django's urlify.js, whose URLify it wraps (inline rows use it too).
        js = ["admin/js/urlify.js", "js/german-slug.js"]

    # History ----------------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        versions = (
            Version.objects.get_for_object(obj)
            .select_related("revision__user")
            .prefetch_related("revision__version_set__content_type")
            .order_by("-pk")
        )
        page = Paginator(versions, HISTORY_PAGE).get_page(request.GET.get("p"))
        shown = list(page.object_list)
        older = versions.filter(pk__lt=shown[-1].pk).first() if shown else None
        root = (self.model, str(obj.pk))
        rows = []
        for version, previous in zip(shown, [*shown[1:], older], strict=True):
            state = revision_state(version)
            rows.append(
                {
                    "when": when(version.revision.date_created),
                    "who": person(version.revision.user) if version.revision.user else "–",
                    "reason": version.revision.comment,
                    "changes": differences(revision_state(previous), state, root)
                    if previous
                    else [],
                    "first": previous is None,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_revision",
                        args=[quote(obj.pk), version.pk],
                    ),
                }
            )
        if is_part(self.model):  # saves of the entry that left this row as it was
            rows = [row for row in rows if row["changes"] or row["first"]]
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": obj,
            "title": _("Verlauf: %(entry)s") % {"entry": obj},
            "rows": rows,
            "page": page,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        request.history_reason = _("Wiederhergestellt: Stand vom %(when)s") % {
            "when": when(version.revision.date_created)
        }
        if kept := kept_on_restore(self.model):
            request.history_kept = (
                self.model._base_manager.filter(pk=unquote(object_id)).values(*kept).first()
            )
        context = {"version_when": when(version.revision.date_created), "revert": True}
        return self.restore_view(request, version, {**context, **(extra_context or {})})

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version, pk=version_id)
        request.history_reason = _("Wiederhergestellt nach dem Löschen")
        context = {"version_when": when(version.revision.date_created), "recover": True}
        return self.restore_view(request, version, {**context, **(extra_context or {})})

    def restore_view(self, request, version, context):
        """reversion's form of an old version, restoring this entry only (core.history)."""
        revision = version.revision  # the instance the view reverts: its revert is narrowed
        revision.revert = lambda delete=False: revert_entry(version)
        with self.create_revision(request):  # the reverted choices and the save: one version
            return self._reversion_revisionform_view(
                request, version, self.revision_form_template, context
            )

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
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        versions = (
            Version.objects.get_deleted(self.model).select_related("revision").order_by("-pk")
        )[:DELETED_SHOWN]
        deletions = {
            entry.object_id: entry
            for entry in LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                action_flag=DELETION,
                object_id__in=[v.object_id for v in versions],
            )
            .select_related("user")
            .order_by("action_time")
        }
        rows = []
        for version in versions:
            deletion = deletions.get(version.object_id)
            rows.append(
                {
                    "title": version.object_repr,
                    "when": when(deletion.action_time) if deletion else "–",
                    "who": person(deletion.user) if deletion else "–",
                    "restore_url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_recover", args=[version.pk]
                    ),
                }
            )
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
        if kept := getattr(request, "history_kept", None):  # restoring: reverted just now
            self.model._base_manager.filter(pk=unquote(object_id)).update(**kept)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ProtectedError, RestrictedError) as error:
            # An inline row deleted while something came to refer to it.
            self.message_user(request, refusal_message(error), messages.ERROR)
            return redirect(request.get_full_path())
