"""Every save of a catalogue entry is one version in the history (django-reversion).

An app registers its models with `track(model, follow=…, part_of=…)`: a version then holds the
entry with everything it follows (a programme's windows, links, participations and sources) and
its many-to-many choices, so restoring one brings all of it back at once. A row that is part of
such an entry (`part_of` names the relation to it) records the whole entry when it is saved on
its own, so the entry's history misses none of its rows.

The admin wraps each save in a revision (who, reason). Saves outside one – a scheduled job, a
shell, a test's factory – are recorded too, each as a revision of its own, as
django-simple-history did before: `instance._change_reason` and `instance._history_user` name
reason and person there, as inside a revision.

Catalogue rows loaded from fixtures or imported in bulk carry no history yet, and a version
holds the state *after* a save. So before the first change (or deletion) of such a row, its
stored state is recorded as a version of its own, dated by its last update.

Restoring (`revert_entry`) brings back one entry with its rows, never other entries of the same
revision. A few of reversion's internals are used (its stack of revisions, the follow options),
hence the pin below version 7 in pyproject.toml.
"""

from contextlib import contextmanager
from contextvars import ContextVar

import reversion
from django.db import IntegrityError, router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import _follow_relations_recursive, _get_options, _stack

BASELINE_REASON = "Stand vor der ersten erfassten Änderung"
GENERATED = "GeneratedField"

_request_user = ContextVar("history_request_user", default=None)


class HistoryUserMiddleware:
    """Saves outside a revision during a request (an admin action) are the signed-in user's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_user.set(getattr(request, "user", None))  # lazy: read only on a save
        try:
            return self.get_response(request)
        finally:
            _request_user.reset(token)


_PART_OF: dict[type, str] = {}
_KEPT: dict[type, tuple[str, ...]] = {}


def track(model, follow=(), part_of: str | None = None, kept=()):
    """Keep the history of `model`; `follow` names the relations a version includes, `part_of`
    the entry whose version includes this row, `kept` the fields a restore leaves as they are
    (those another process owns, such as the workflow's state)."""
    generated = [f.name for f in model._meta.concrete_fields if type(f).__name__ == GENERATED]
    reversion.register(model, follow=tuple(follow), exclude=generated)
    if part_of:
        _PART_OF[model] = part_of
    if kept:
        _KEPT[model] = tuple(kept)
    dispatch = f"core.history.{model._meta.label_lower}"
    pre_save.connect(record_baseline, sender=model, dispatch_uid=f"{dispatch}.baseline")
    pre_delete.connect(record_baseline, sender=model, dispatch_uid=f"{dispatch}.deleted")
    post_save.connect(record_save, sender=model, dispatch_uid=f"{dispatch}.save")
    for field in model._meta.local_many_to_many:
        m2m_changed.connect(
            record_choice, sender=field.remote_field.through, dispatch_uid=f"{dispatch}.{field}"
        )


def is_part(model) -> bool:
    """A row recorded with the entry it is part of (its versions include the entry's saves)."""
    return model in _PART_OF


def kept_on_restore(model) -> tuple[str, ...]:
    return _KEPT.get(model, ())


@contextmanager
def recorded(reason: str = "", user=None):
    """One revision for everything saved inside, with reason and person."""
    with reversion.create_revision():
        reversion.set_comment(reason[:1000])
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        yield


@contextmanager
def own_revision():
    """A revision that is not merged into the one already open (reversion nests otherwise).
    The database transaction stays the same; only reversion's stack of revisions is set aside."""
    token = _stack.set([])
    try:
        with reversion.create_revision(atomic=False):
            yield
    finally:
        _stack.reset(token)


def has_history(instance) -> bool:
    return Version.objects.get_for_object(instance).exists()


def record_baseline(sender, instance, raw=False, **kwargs):
    """Before the first change of a row without history: the stored entry it belongs to."""
    if raw or instance.pk is None or instance._state.adding or has_history(instance):
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    whole = whole_entry(stored)
    if whole is not stored and has_history(whole):
        return
    with own_revision():
        reversion.set_comment(BASELINE_REASON)  # nobody's change: the state it was loaded in
        reversion.set_date_created(getattr(whole, "updated", None) or timezone.now())
        reversion.add_to_revision(whole, model_db=router.db_for_write(type(whole)))


def _note_reason_and_user(instance) -> None:
    reason = getattr(instance, "_change_reason", None)
    if reason:
        reversion.set_comment(str(reason)[:1000])
    user = getattr(instance, "_history_user", None) or _request_user.get()
    if user is not None and user.is_authenticated and reversion.get_user() is None:
        reversion.set_user(user)


def whole_entry(instance):
    """The entry a row is part of (a window's programme), or the row itself."""
    relation = _PART_OF.get(type(instance))
    whole = getattr(instance, relation, None) if relation else None
    return whole if whole is not None and reversion.is_registered(type(whole)) else instance


def record_save(sender, instance, raw=False, **kwargs):
    """Inside a revision reversion adds the row itself; outside, it gets one of its own. Either
    way the entry it is part of comes along."""
    if raw:
        return
    if reversion.is_active():
        _note_reason_and_user(instance)
        if (whole := whole_entry(instance)) is not instance:
            reversion.add_to_revision(whole)
        return
    with reversion.create_revision():
        _note_reason_and_user(instance)
        reversion.add_to_revision(whole_entry(instance))


def record_choice(sender, instance, action, reverse, **kwargs):
    """A change of many-to-many choices outside a revision (inside, reversion adds it)."""
    if reverse or not action.startswith("post_") or reversion.is_active():
        return
    if not reversion.is_registered(type(instance)):
        return
    with reversion.create_revision():
        reversion.add_to_revision(instance)


def entry_versions(version: Version) -> list[Version]:
    """The versions of `version`'s entry and of the rows it follows in the same revision, the
    entry first (its rows refer to it). A row's own version is that row alone."""
    model = version._model
    follow = _get_options(model).follow
    if not follow:
        return [version]
    kinds = {model} | {model._meta.get_field(name).related_model for name in follow}
    return sorted(
        (v for v in version.revision.version_set.all() if v._model in kinds),
        key=lambda v: v.pk != version.pk,
    )


def revert_entry(version: Version) -> None:
    """Bring back the entry of `version` with the rows it follows as its revision holds them;
    rows it follows now but did not then are deleted. A row's own version (a link restored from
    the list of links) brings back that row alone, not the programme its revision also holds."""
    model, entry = version._model, entry_versions(version)
    if _get_options(model).follow:
        current = model._base_manager.filter(pk=version.object_id).first()
        held = {(v._model, v.object_id) for v in entry}
        for row in _follow_relations_recursive(current) if current is not None else ():
            if (type(row), str(row.pk)) not in held:
                row.delete()
    for item in entry:
        try:
            with transaction.atomic():
                item.revert()
        except IntegrityError:
            raise RevertError(
                f"„{item.object_repr}“ lässt sich nicht wiederherstellen: ein Eintrag, auf den "
                "es verweist, fehlt."
            ) from None
