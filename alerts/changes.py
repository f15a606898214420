"""What changed about programmes since a moment: the one place alerts read the catalogue's
history (django-reversion, core.history).

A version holds a programme's state after a save, with its application windows, links and
participations in the same revision. The state at `since` is the last version recorded up to
then; the current state is the latest one. A programme without a version up to `since` has
nothing to compare with (it is new to the history) and is left out.
"""

import json
from datetime import datetime

from reversion.models import Version

from programmes.models import ApplicationWindow, Link, Participation, Programme

FOLLOWED = (ApplicationWindow, Link, Participation)  # each points to its programme


def changes_since(programme_ids, since: datetime) -> dict[int, list[str]]:
    """{programme id: German labels of what differs now from its state at `since`}; programmes
    with nothing to report are left out."""
    versions = (
        Version.objects.get_for_model(Programme)
        .filter(object_id__in=[str(pk) for pk in programme_ids])
        .order_by("revision__date_created", "pk")
        .values_list("object_id", "revision_id", "revision__date_created", "serialized_data")
    )
    then, latest = {}, {}
    for object_id, revision, created, data in versions:
        (then if created <= since else latest)[int(object_id)] = (revision, _fields(data))
    changes = {}
    for pk, (revision, fields) in latest.items():
        if pk not in then:
            continue
        earlier_revision, earlier = then[pk]
        labels = [
            str(field.verbose_name)
            for field in Programme._meta.get_fields()
            if getattr(field, "editable", False)
            and field.name in fields
            and not _same(earlier.get(field.name), fields[field.name])
        ]
        labels += _related_labels(pk, earlier_revision, revision)
        if labels:
            changes[pk] = labels
    return changes


def _related_labels(pk: int, earlier_revision: int, revision: int) -> list[str]:
    labels = []
    for model in FOLLOWED:
        rows = Version.objects.get_for_model(model).filter(
            revision_id__in=[earlier_revision, revision]
        )
        states = {earlier_revision: set(), revision: set()}
        for revision_id, object_id, data in rows.values_list(
            "revision_id", "object_id", "serialized_data"
        ):
            fields = _fields(data)
            if fields.get("programme") == pk:
                states[revision_id].add((object_id, json.dumps(fields, sort_keys=True)))
        if states[earlier_revision] != states[revision]:
            labels.append(str(model._meta.verbose_name_plural))
    return labels


def _fields(serialized: str) -> dict:
    return json.loads(serialized)[0]["fields"]


def _same(before, after) -> bool:
    if isinstance(before, list) and isinstance(after, list):  # many-to-many choices
        return sorted(map(str, before)) == sorted(map(str, after))
    return before == after
