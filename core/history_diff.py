"""Readable differences between two states of an entry: its own fields, its many-to-many
choices and the rows it follows (a programme's windows, links …), in the editors' words –
German field names, choice labels, dates as TT.MM.JJJJ, names instead of ids.

A state maps (model, id) to the field values of the entry and of everything it follows, as a
version of the history (reversion) holds them or as they are stored now (`live_state`).
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.models import Version
from reversion.revisions import _follow_relations_recursive, _get_options

from core.history import entry_versions

EMPTY = "–"

Key = tuple[type[models.Model], str]


@dataclass(frozen=True)
class Change:
    what: str  # "Themen", "Antragsfenster „01.01.2025 – 31.01.2025“: bis (Frist)"
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    values: dict  # attname → value, many-to-many as lists of ids
    label: str


def _entry(version: Version) -> Entry:
    return Entry(values=version.field_dict, label=version.object_repr)


def revision_state(version: Version) -> dict[Key, Entry]:
    """The entry of `version` with the rows it follows, as its revision holds them."""
    return {(v._model, v.object_id): _entry(v) for v in entry_versions(version)}


def _serialized(obj) -> str:
    return serializers.serialize("json", [obj], fields=_get_options(type(obj)).fields)


def _live_objects(obj) -> list[models.Model]:
    return sorted(_follow_relations_recursive(obj), key=lambda o: (o._meta.label, o.pk))


def live_state(obj) -> dict[Key, Entry]:
    """The entry as stored now, in the same form as a version holds it."""
    state = {}
    for item in _live_objects(obj):
        version = Version(format="json", serialized_data=_serialized(item), object_repr=str(item))
        version.content_type_id = _content_type_id(type(item))
        state[(type(item), str(item.pk))] = _entry(version)
    return state


def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


def fingerprint(obj) -> str:
    """A short digest of the stored entry with all it follows: it changes with any save."""
    digest = hashlib.sha256()
    for item in _live_objects(obj):
        digest.update(_serialized(item).encode())
    return digest.hexdigest()[:20]


# Values in the editors' words --------------------------------------------------------------


def _names(model, ids) -> dict:
    found = model._base_manager.in_bulk(list(ids))
    return {
        pk: str(found[pk]) if pk in found else _("Nr. %(id)s (gelöscht)") % {"id": pk} for pk in ids
    }


def shown(field, value) -> str:
    """One value as the admin would show it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field.many_to_many:
        return ", ".join(sorted(_names(field.related_model, value).values()))
    if field.is_relation:
        return _names(field.related_model, [value])[value]
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d.m.Y, H:i")
    if isinstance(value, date):
        return formats.date_format(value, "d.m.Y")
    if isinstance(value, Decimal | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _fields(model):
    """What an editor can see and change: no ids, generated or bookkeeping columns."""
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if field.primary_key or not field.editable or field.name in {"content_type", "object_id"}:
            continue
        yield field


def field_changes(model, old: dict, new: dict, prefix: str = "") -> list[Change]:
    changes = []
    for field in _fields(model):
        before, after = old.get(field.attname), new.get(field.attname)
        if field.many_to_many:
            before, after = sorted(before or []), sorted(after or [])
        if before != after:
            what = prefix + str(capfirst(field.verbose_name))
            changes.append(Change(what, shown(field, before), shown(field, after)))
    return changes


def differences(old: dict[Key, Entry], new: dict[Key, Entry], root: Key) -> list[Change]:
    """What changed from `old` to `new`: the entry's fields first, then its rows."""
    model = root[0]
    changes = field_changes(model, old[root].values if root in old else {}, new[root].values)
    rows = sorted((old.keys() | new.keys()) - {root}, key=lambda key: (key[0]._meta.label, key[1]))
    for key in rows:
        kind = str(capfirst(key[0]._meta.verbose_name))
        if key not in old:
            changes.append(
                Change(_("%(kind)s hinzugefügt") % {"kind": kind}, EMPTY, new[key].label)
            )
        elif key not in new:
            changes.append(Change(_("%(kind)s entfernt") % {"kind": kind}, old[key].label, EMPTY))
        else:
            prefix = f"{kind} „{new[key].label}“: "
            changes += field_changes(key[0], old[key].values, new[key].values, prefix)
    return changes
