"""No lost edits: a change form carries the version of the entry it was loaded from, and saving
over a newer one is refused.

The version is a digest of the stored entry with everything it follows (windows, links,
choices …; `core.history_diff.fingerprint`) and the id of its latest history version. The check
locks the entry's row (SELECT … FOR UPDATE) inside the admin's transaction, so of two saves at
the same moment the second waits and then sees the first. A refused form keeps the editor's
input and names who saved what when; it then carries the newer version, so saving again after
reading the differences is a deliberate choice.

Actions on a selection carry the time the list was loaded: entries saved since then are named
and the action changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from reversion.models import Version

from core.history_diff import Change, differences, fingerprint, live_state, revision_state

TOKEN_FIELD = "loaded_version"
LOADED_AT = "_loaded_at"


def version_token(obj) -> str:
    """The latest version's id and the digest of the entry as stored (not as in memory)."""
    stored = type(obj)._base_manager.get(pk=obj.pk)
    return f"{_latest_id(obj)}.{fingerprint(stored)}"


def _latest_id(obj) -> int:
    return (
        Version.objects.get_for_object(obj).order_by("-pk").values_list("pk", flat=True).first()
        or 0
    )


def person(user) -> str:
    if user is None:
        return _("einem Hintergrundauftrag oder Import")
    return user.get_full_name() or user.get_username()


def moment(when: datetime) -> str:
    return _("am %(date)s um %(time)s") % {
        "date": formats.date_format(timezone.localtime(when), "d.m.Y"),
        "time": formats.date_format(timezone.localtime(when), "H:i"),
    }


@dataclass(frozen=True)
class Conflict:
    title: str
    saved_by: str
    saved: str  # "am 02.12.2026 um 14:05", or "" if saved outside the history
    changes: list[Change]

    def messages(self) -> list[str]:
        head = _(
            "Nicht gespeichert: „%(title)s“ wurde inzwischen von %(who)s %(when)s gespeichert. "
            "Ihre Eingaben stehen unten; prüfen Sie die Unterschiede und speichern Sie erneut, "
            "um Ihren Stand zu übernehmen."
        ) % {"title": self.title, "who": self.saved_by, "when": self.saved}
        rows = [
            _("%(what)s: vorher „%(old)s“, jetzt „%(new)s“")
            % {"what": c.what, "old": c.old, "new": c.new}
            for c in self.changes
        ]
        return [head, *rows]


def _loaded_state(model, pk, loaded_version_id: int):
    """The state the form was loaded from: its version, or the baseline that the other save
    recorded if the entry had no history then."""
    versions = Version.objects.get_for_object_reference(model, pk)
    if loaded_version_id:
        version = versions.filter(pk=loaded_version_id).first()
    else:
        version = versions.order_by("pk").first()
    return revision_state(version) if version is not None else {}


def find_conflict(model, pk, token: str) -> tuple[Conflict | None, str]:
    """Lock the entry; (the conflict if it changed since `token`, the current token)."""
    current = model._base_manager.select_for_update().filter(pk=pk).first()
    if current is None:
        return None, token  # deleted meanwhile: Django's form answers that itself
    now = f"{_latest_id(current)}.{fingerprint(current)}"
    if now.split(".")[-1] == token.split(".")[-1]:
        return None, now
    loaded_id = token.split(".")[0]
    loaded_id = int(loaded_id) if loaded_id.isdigit() else 0
    latest = (
        Version.objects.get_for_object(current).select_related("revision__user").order_by("-pk")
    ).first()
    newer = latest is not None and latest.pk != loaded_id
    root = (model, str(pk))
    changes = differences(_loaded_state(model, pk, loaded_id), live_state(current), root)
    conflict = Conflict(
        title=str(current),
        saved_by=person(latest.revision.user) if newer else _("jemandem außerhalb der Redaktion"),
        saved=moment(latest.revision.date_created) if newer else "",
        changes=changes,
    )
    return conflict, now


class GuardedForm(forms.ModelForm):
    """Mixed into an admin's change form by VersionGuardAdminMixin."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False, label="")

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != TOKEN_FIELD]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields[TOKEN_FIELD].initial = version_token(self.instance)

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get(TOKEN_FIELD) or ""
        if self.instance.pk is None or not token:
            return cleaned
        conflict, now = find_conflict(type(self.instance), self.instance.pk, token)
        if conflict is not None:
            # The form shown again carries the newer version: saving again is deliberate.
            self.data = self.data.copy()
            self.data[self.add_prefix(TOKEN_FIELD)] = now
            raise ValidationError(conflict.messages(), code="edit_conflict")
        return cleaned


class VersionGuardAdminMixin:
    """For a ModelAdmin: the version in every change form, the load time in every list."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            base = kwargs.get("form", self.form)
            if not issubclass(base, GuardedForm):
                kwargs["form"] = type(base.__name__, (GuardedForm, base), {})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or any(TOKEN_FIELD in options["fields"] for _n, options in fieldsets):
            return fieldsets
        *first, (name, options) = fieldsets
        return [*first, (name, {**options, "fields": [*options["fields"], TOKEN_FIELD]})]

    def changelist_view(self, request, extra_context=None):
        context = {"loaded_at": timezone.now().isoformat(), **(extra_context or {})}
        return super().changelist_view(request, context)

    unchanging_actions = ("export_admin_action",)

    def response_action(self, request, queryset):
        loaded_at = parse_datetime(request.POST.get(LOADED_AT, ""))
        unchanging = request.POST.get("action") in self.unchanging_actions
        if loaded_at is None or unchanging or "post" in request.POST:  # "post": confirmed
            return super().response_action(request, queryset)
        if request.POST.get("select_across") != "1":
            queryset = queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        saved = changed_since(self.model, queryset.values_list("pk", flat=True), loaded_at)
        if not saved:
            return super().response_action(request, queryset)
        names = "; ".join(
            _("„%(title)s“ (von %(who)s %(when)s)")
            % {
                "title": v.object_repr,
                "who": person(v.revision.user),
                "when": moment(v.revision.date_created),
            }
            for v in saved
        )
        self.message_user(
            request,
            _(
                "Nichts geändert: seit dem Laden der Liste wurden ausgewählte Einträge "
                "gespeichert: %(names)s. Bitte die Liste prüfen und die Aktion erneut wählen."
            )
            % {"names": names},
            messages.ERROR,
        )
        return redirect(request.get_full_path())


def changed_since(model, pks, since: datetime) -> list[Version]:
    """The latest version of each of these entries saved after `since`."""
    return list(
        Version.objects.get_for_model(model)
        .filter(object_id__in=[str(pk) for pk in pks], revision__date_created__gt=since)
        .select_related("revision__user")
        .order_by("object_id", "-pk")
        .distinct("object_id")
    )
