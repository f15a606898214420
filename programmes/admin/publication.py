"""Publishing a programme from the admin: the workflow's actions for a selection, and the rule
that a published programme is archived, never deleted (links to it and its history stay valid).
Every change goes through programmes.workflow.move(), so the history and the log of steps record
it, and into the admin's log."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.models import Programme
from programmes.workflow import WorkflowError, may_publish, move

Publication = Programme.Publication


def publication_changed() -> list[dict]:
    """The admin log's change message: the publication field changed."""
    field = str(Programme._meta.get_field("publication").verbose_name)
    return [{"changed": {"fields": [field]}}]


def publication_action(name: str, state: str, description, done_singular, done_plural, role):
    """An admin action moving the selected programmes to `state` (role: "change" for the
    editors' step, "publish" for the steps of the group „Freigabe“)."""

    @admin.action(description=description, permissions=[role])
    def action(modeladmin, request, queryset):
        modeladmin.move_to(request, queryset, state, done_singular, done_plural)

    action.__name__ = name
    return action


class PublicationAdminMixin:
    """For ProgrammeAdmin: the workflow's steps for a selection, and archiving instead of
    deleting. Steps back need a reason and are taken on the programme's page."""

    actions = ["submit_for_review", "publish", "archive"]

    submit_for_review = publication_action(
        "submit_for_review",
        Publication.REVIEW,
        _("Ausgewählte zur Prüfung geben"),
        "%(count)d Programm zur Prüfung gegeben.",
        "%(count)d Programme zur Prüfung gegeben.",
        "change",
    )
    publish = publication_action(
        "publish",
        Publication.PUBLISHED,
        _("Ausgewählte veröffentlichen"),
        "%(count)d Programm veröffentlicht.",
        "%(count)d Programme veröffentlicht.",
        "publish",
    )
    archive = publication_action(
        "archive",
        Publication.ARCHIVED,
        _("Ausgewählte archivieren"),
        "%(count)d Programm archiviert.",
        "%(count)d Programme archiviert.",
        "publish",
    )

    def has_publish_permission(self, request, obj=None):
        return may_publish(request.user)

    def move_to(self, request, queryset, state: str, done_singular, done_plural):
        changed, refused = [], []
        for programme in queryset.exclude(publication=state).order_by():
            try:  # one save each, so the history records every change
                move(programme, state, user=request.user)
            except WorkflowError as error:
                refused.append(f"„{programme.title}“: {' '.join(error.problems)}")
            else:
                changed.append(programme)
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=publication_changed(),
        )
        count = len(changed)
        self.message_user(
            request,
            ngettext(done_singular, done_plural, count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)

    # Published programmes are archived, never deleted ---------------------------------------

    def has_delete_permission(self, request, obj=None):
        """Not even a superuser deletes a published programme. Drafts and archived entries may
        be deleted by those allowed to."""
        if obj is not None and obj.publication == Publication.PUBLISHED:
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        programme = self.get_object(request, unquote(object_id))
        may_delete = super().has_delete_permission(request)  # editors may not: Django's 403
        if not may_delete or programme is None or not programme.is_public:
            return super().delete_view(request, object_id, extra_context)
        return self.archive_instead_view(request, programme)

    def archive_instead_view(self, request, programme):
        """Asked to delete a published programme, the admin offers to archive it."""
        if not self.has_change_permission(request, programme):
            raise PermissionDenied
        if not may_publish(request.user):
            raise PermissionDenied
        if request.method == "POST" and "archive" in request.POST:
            move(programme, Publication.ARCHIVED, user=request.user)
            self.log_change(request, programme, publication_changed())
            self.message_user(
                request,
                _("„%(title)s“ ist archiviert und erscheint nicht mehr im Katalog.")
                % {"title": programme.title},
                messages.SUCCESS,
            )
            return redirect("admin:programmes_programme_change", programme.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": programme,
            "title": _("Archivieren statt löschen"),
        }
        return TemplateResponse(request, "admin/programmes/programme/archive_instead.html", context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self.delete_unpublished, name, description)
        return actions

    @staticmethod
    def delete_unpublished(modeladmin, request, queryset):
        """Django's "delete selected", refused while the selection holds a published one."""
        published = queryset.filter(publication=Publication.PUBLISHED).count()
        if published:
            modeladmin.message_user(
                request,
                ngettext(
                    "Nichts gelöscht: %(count)d ausgewähltes Programm ist veröffentlicht. "
                    "Veröffentlichte Programme werden archiviert, nicht gelöscht.",
                    "Nichts gelöscht: %(count)d ausgewählte Programme sind veröffentlicht. "
                    "Veröffentlichte Programme werden archiviert, nicht gelöscht.",
                    published,
                )
                % {"count": published},
                messages.ERROR,
            )
            return None
        return delete_selected(modeladmin, request, queryset)
