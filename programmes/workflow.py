"""The editorial workflow of a programme: Entwurf → zur Prüfung → veröffentlicht → archiviert,
and back with a reason. Every move goes through `move()`: it checks the role (publishing,
withdrawing and archiving need the permission of the group „Freigabe“), the completeness of what
is published and records who moved it when and why (PublicationStep). Scheduled publication and
withdrawal (`publish_at`, `withdraw_at`) are carried out by `carry_out_schedule()`, which the
job runner and `manage.py publish_scheduled` call.

Only „veröffentlicht“ is public (`Programme.objects.published()`); each move saves the
programme, so the catalogue version moves and cached pages flip in the same transaction."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.models import Programme, PublicationStep

State = Programme.Publication
PUBLISH_PERMISSION = "programmes.publish_programme"


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    by_publisher: bool  # only the group „Freigabe“ may
    needs_reason: bool  # a step back says why


MOVES: dict[str, tuple[Move, ...]] = {
    State.DRAFT: (
        Move(State.REVIEW, gettext_lazy("Zur Prüfung geben"), False, False),
        Move(State.PUBLISHED, gettext_lazy("Veröffentlichen"), True, False),
        Move(State.ARCHIVED, gettext_lazy("Archivieren"), True, False),
    ),
    State.REVIEW: (
        Move(State.PUBLISHED, gettext_lazy("Veröffentlichen"), True, False),
        Move(State.DRAFT, gettext_lazy("Zurück an die Redaktion"), False, True),
    ),
    State.PUBLISHED: (
        Move(State.DRAFT, gettext_lazy("Zurückziehen (wieder Entwurf)"), True, True),
        Move(State.ARCHIVED, gettext_lazy("Archivieren"), True, False),
    ),
    State.ARCHIVED: (Move(State.DRAFT, gettext_lazy("Wieder als Entwurf öffnen"), True, True),),
}


class WorkflowError(Exception):
    """A move that is not allowed; `problems` are sentences for the editor."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def may_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def moves_for(user, programme: Programme) -> list[Move]:
    """The moves this user may make from the programme's current state."""
    if not user.has_perm("programmes.change_programme"):
        return []
    publisher = may_publish(user)
    return [m for m in MOVES.get(programme.publication, ()) if publisher or not m.by_publisher]


def missing_for_publication(programme: Programme) -> list[str]:
    """What a programme lacks before the public may see it, in the editors' words."""
    missing = []
    if not programme.summary.strip():
        missing.append(_("Kurzbeschreibung"))
    if programme.funding_body_id is None:
        missing.append(_("Fördergeber"))
    if not programme.target_groups.exists():
        missing.append(_("Zielgruppe (wer kann teilnehmen oder beantragen)"))
    if not programme.sources.exists():
        missing.append(_("mindestens eine Quelle"))
    if not programme.website and not programme.links.exists():
        missing.append(_("offizielle Seite oder offizieller Link"))
    return missing


def move(
    programme: Programme, to: str, *, user=None, note: str = "", at: datetime | None = None
) -> PublicationStep:
    """Move the programme to `to` as `user` (None: the scheduled job), recording the step."""
    with transaction.atomic():
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        step = next((m for m in MOVES.get(current.publication, ()) if m.to == to), None)
        if step is None:
            raise WorkflowError(
                [
                    _("Von „%(from)s“ führt kein Schritt nach „%(to)s“.")
                    % {"from": current.get_publication_display(), "to": State(to).label}
                ]
            )
        if user is not None and step.by_publisher and not may_publish(user):
            raise WorkflowError(
                [_("Veröffentlichen, Zurückziehen und Archivieren darf nur die Freigabe.")]
            )
        if step.needs_reason and not note.strip():
            raise WorkflowError([_("Bitte einen Grund für diesen Schritt angeben.")])
        if to == State.PUBLISHED:
            missing = missing_for_publication(current)
            if missing:
                raise WorkflowError(
                    [_("Zum Veröffentlichen fehlt: %(missing)s.") % {"missing": ", ".join(missing)}]
                )
        from_state = current.publication
        current.publication = to
        if to == State.PUBLISHED:
            current.publish_at = None  # done
        elif from_state == State.PUBLISHED:
            current.withdraw_at = None
        # The history (core.history) records this save with the step as its reason.
        step_name = f"{State(from_state).label} → {State(to).label}"
        current._change_reason = f"{step_name}: {note.strip()}" if note.strip() else step_name
        current._history_user = user
        current.save(update_fields=["publication", "publish_at", "withdraw_at", "updated"])
        programme.publication, programme.publish_at, programme.withdraw_at = (
            current.publication,
            current.publish_at,
            current.withdraw_at,
        )
        return PublicationStep.objects.create(
            programme=current,
            from_state=from_state,
            to_state=to,
            user=user,
            at=at or timezone.now(),
            note=note.strip(),
        )


@dataclass
class ScheduleResult:
    published: list[Programme] = field(default_factory=list)
    withdrawn: list[Programme] = field(default_factory=list)
    held_back: list[tuple[Programme, list[str]]] = field(default_factory=list)  # incomplete


def carry_out_schedule(now: datetime | None = None) -> ScheduleResult:
    """Publish what is due (`publish_at` reached, not yet public) and withdraw what is due
    (`withdraw_at` reached, public). An incomplete programme stays unpublished and is reported;
    the desk lists it too (its `publish_at` lies in the past)."""
    now = now or timezone.now()
    result = ScheduleResult()
    due = Programme.objects.filter(
        publish_at__lte=now, publication__in=[State.DRAFT, State.REVIEW]
    ).order_by("publish_at", "pk")
    for programme in due:
        try:
            move(programme, State.PUBLISHED, note=_("geplante Veröffentlichung"), at=now)
        except WorkflowError:
            result.held_back.append((programme, missing_for_publication(programme)))
        else:
            result.published.append(programme)
    ending = Programme.objects.filter(withdraw_at__lte=now, publication=State.PUBLISHED)
    for programme in ending.order_by("withdraw_at", "pk"):
        move(programme, State.DRAFT, note=_("geplantes Zurückziehen"), at=now)
        result.withdrawn.append(programme)
    return result
