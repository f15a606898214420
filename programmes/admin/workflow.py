"""The workflow on a programme's page: its state, the steps the editor may take (with a note),
what is missing before publishing, the schedule, the log of every step, the preview link to
share with reviewers, and a preview of the form's unsaved changes. The steps themselves are
programmes.workflow.move()."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from programmes.views import programme_preview
from programmes.workflow import (
    WorkflowError,
    may_publish,
    missing_for_publication,
    move,
    moves_for,
)

SCHEDULE_FIELDS = ["publish_at", "withdraw_at"]
PREVIEW_BUTTON = "_preview"  # on the change form: the page with the unsaved changes
STEPS_SHOWN = 20


def shown(moment) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT")


class WorkflowAdminMixin:
    """For ProgrammeAdmin. The state changes only through the steps; only the group
    „Freigabe“ sets the schedule."""

    change_form_template = "admin/programmes/programme/workflow_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "publication"]
        if not may_publish(request.user):
            readonly += SCHEDULE_FIELDS
        return readonly

    @admin.display(description=_("Veröffentlichung"), ordering="publication")
    def publication_state(self, obj):
        """The state and what is planned for it: „Entwurf, ab 01.03.2027 09:00“."""
        state = obj.get_publication_display()
        if obj.publish_at and not obj.is_public:
            return _("%(state)s, ab %(at)s") % {"state": state, "at": shown(obj.publish_at)}
        if obj.withdraw_at and obj.is_public:
            return _("%(state)s, bis %(at)s") % {"state": state, "at": shown(obj.withdraw_at)}
        return state

    def get_urls(self):
        step = path(
            "<path:object_id>/step/",
            self.admin_site.admin_view(require_POST(self.step_view)),
            name="programmes_programme_step",
        )
        return [step, *super().get_urls()]

    def step_view(self, request, object_id):
        programme = self.get_object(request, unquote(object_id))
        if programme is None:
            raise Http404
        if not self.has_change_permission(request, programme):
            raise PermissionDenied
        note = request.POST.get("note", "")
        try:
            step = move(programme, request.POST.get("to", ""), user=request.user, note=note)
        except WorkflowError as error:
            for problem in error.problems:
                self.message_user(request, problem, messages.ERROR)
        except ValueError:  # an unknown state in the request
            self.message_user(request, _("Unbekannter Schritt."), messages.ERROR)
        else:
            self.log_change(request, programme, _("Schritt: %(step)s") % {"step": step})
            self.message_user(
                request,
                _("„%(title)s“ ist jetzt: %(state)s.")
                % {"title": programme.title, "state": programme.get_publication_display()},
                messages.SUCCESS,
            )
        return redirect("admin:programmes_programme_change", programme.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and PREVIEW_BUTTON in request.POST:
            return self.preview_changes(request, object_id, form_url)
        programme = self.get_object(request, unquote(object_id))
        if programme is not None:
            extra_context = {**(extra_context or {}), **self.workflow_context(request, programme)}
        return super().change_view(request, object_id, form_url, extra_context)

    def preview_changes(self, request, object_id, form_url):
        """The public page with the form's changes, unsaved: the form is saved in a transaction
        that is rolled back once the page is rendered, so the preview is exactly what saving
        would show, and nothing is kept (no new version, no history, no log, no message)."""
        with transaction.atomic():
            response = super().change_view(request, object_id, form_url)
            if response.status_code == 302:  # saved: render, then forget the save
                response = programme_preview(request, pk=unquote(object_id), unsaved=True)
                list(messages.get_messages(request))  # "changed successfully" was not true
            transaction.set_rollback(True)
        return response

    def workflow_context(self, request, programme) -> dict:
        preview = reverse("programmes:programme-preview", args=[programme.pk])
        return {
            "workflow_moves": moves_for(request.user, programme),
            "workflow_missing": missing_for_publication(programme),
            "workflow_steps": programme.publication_steps.select_related("user")[:STEPS_SHOWN],
            "workflow_step_url": reverse("admin:programmes_programme_step", args=[programme.pk]),
            "preview_url": preview,
            "preview_share_url": request.build_absolute_uri(preview),
        }
