"""What changed about programmes since a moment: the one place alerts read the catalogue's
history (django-reversion, core.history).

A version holds a programme's state after a save, with its application windows, links and
participations in the same revision. The state at `since` is the last version recorded up to
then; the current state is the latest one. A programme without a version up to `since` has
nothing to compare with (it is new to the history) and is left out. Two queries in all.
"""

import json
from collections import defaultdict
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from programmes.models import ApplicationWindow, Link, Participation, Programme

FOLLOWED = (ApplicationWindow, Link, Participation)  # each points to its programme


def changes_since(programme_ids, since: datetime) -> dict[int, list[str]]:
    """{programme id: German labels of what differs now from its state at `since`}; programmes
    with nothing to report are left out."""
    kinds = ContentType.objects.get_for_models(Programme, *FOLLOWED)  # cached after the first
    versions = (
        Version.objects.filter(
            content_type=kinds[Programme], object_id__in=[str(pk) for pk in programme_ids]
        )
        .order_by("revision__date_created", "pk")
        .values_list("object_id", "revision_id", "revision__date_created", "serialized_data")
    )
    then, latest = {}, {}
    for object_id, revision, created, data in versions:
        (then if created <= since else latest)[int(object_id)] = (revision, _fields(data))
    compared = {pk: (then[pk], latest[pk]) for pk in latest if pk in then}
    related = _related({rev for pair in compared.values() for rev, _ in pair}, kinds)
    changes = {}
    for pk, ((before_rev, before), (after_rev, after)) in compared.items():
        labels = [
            str(field.verbose_name)
            for field in Programme._meta.get_fields()
            if getattr(field, "editable", False)
            and field.name in after
            and not _same(before.get(field.name), after[field.name])
        ]
        labels += [
            str(model._meta.verbose_name_plural)
            for model in FOLLOWED
            if related[before_rev, pk, model] != related[after_rev, pk, model]
        ]
        if labels:
            changes[pk] = labels
    return changes


def _related(revisions: set[int], kinds: dict) -> defaultdict:
    """{(revision, programme id, model): the followed entries' states in that revision}."""
    models = {kinds[model].pk: model for model in FOLLOWED}
    states = defaultdict(set)
    rows = Version.objects.filter(revision_id__in=revisions, content_type_id__in=models)
    for revision, kind, object_id, data in rows.values_list(
        "revision_id", "content_type_id", "object_id", "serialized_data"
    ):
        fields = _fields(data)
        states[revision, fields.get("programme"), models[kind]].add(
            (object_id, json.dumps(fields, sort_keys=True))
        )
    return states


def _fields(serialized: str) -> dict:
    return json.loads(serialized)[0]["fields"]


def _same(before, after) -> bool:
    if isinstance(before, list) and isinstance(after, list):  # many-to-many choices
        return sorted(map(str, before)) == sorted(map(str, after))
    return before == after
