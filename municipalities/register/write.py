"""Step 3: bring the stored municipalities in line with the entries, and report every change.

Rows are matched by official key, so curated rows keep everything the register does not own.
The whole of Germany is written with a handful of bulk queries, not one query per row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils import timezone

from core.german import slug
from municipalities.models import Municipality
from municipalities.register.build import Entry, RegisterContents
from municipalities.register.parse import Progress, RegisterError


@dataclass(frozen=True, slots=True)
class Change:
    key: str
    name: str
    changes: tuple[tuple[str, object, object], ...]  # (field label, old, new)

    def __str__(self):
        parts = "; ".join(
            f"{label}: {_show(old)} → {_show(new)}" for label, old, new in self.changes
        )
        return f"{self.key} {self.name}: {parts}"


def _show(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)


@dataclass
class ImportReport:
    territory_date: date
    population_date: date
    lands: list[str]
    dry_run: bool = False
    created: list[tuple[str, str]] = field(default_factory=list)  # (key, name)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[tuple[str, str]] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


# Fields the register owns. Slug, website, coordinates and outline stay as curated.
REGISTER_FIELDS = (
    "name", "official_name", "kind", "parent", "population", "population_date", "area_km2",
    "postcode", "is_active",
)  # fmt: skip
_LABELS = {name: str(Municipality._meta.get_field(name).verbose_name) for name in REGISTER_FIELDS}
_BATCH = 1000


def write_entries(contents: RegisterContents, report: ImportReport, progress: Progress | None):
    """Creates, updates and deactivates rows, noting each in `report`; call in a transaction."""
    _Sync(contents, report, progress).run()


class _Sync:
    """Four bulk inserts (one per level: a row's parent is saved first), one batch of updates."""

    def __init__(self, contents, report, progress):
        self.contents, self.report, self.progress = contents, report, progress
        self.now = timezone.now()

    def run(self):
        existing = {m.key: m for m in Municipality.objects.defer("outline").order_by()}
        self.by_key = dict(existing)
        self.slugs = {m.slug for m in existing.values()}
        self.key_by_pk = {m.pk: m.key for m in existing.values()}
        self.to_update: list[Municipality] = []
        self.changed_fields: set[str] = set()
        self.done, self.total = 0, len(self.contents.entries)
        for length in (2, 3, 5, 8):
            self._sync_level(length, existing)
        self._deactivate_missing(existing)
        self._save_updates()
        self._tick(self.total)

    def _sync_level(self, length: int, existing: dict[str, Municipality]):
        level = [e for e in self.contents.entries.values() if len(e.key) == length]
        # Bigger places first, so the most populous "Neustadt" gets the plain address.
        level.sort(key=lambda e: (-(e.population or 0), e.key))
        to_create = []
        for entry in level:
            row = existing.get(entry.key)
            if row is None:
                to_create.append(self._new_row(entry))
            else:
                self._update_row(row, entry)
        self._create(to_create)
        self.done += len(level) - len(to_create)
        self._tick(self.done)

    def _new_row(self, entry: Entry) -> Municipality:
        values = self._values(entry)
        row = Municipality(key=entry.key, slug=self._slug(entry), **values)
        self.report.created.append((entry.key, entry.name))
        return row

    def _update_row(self, row: Municipality, entry: Entry):
        changes = self._diff(row, self._values(entry))
        if not changes:
            self.report.unchanged += 1
            return
        for name, _old, new in changes:
            setattr(row, name, new)
            self.changed_fields.add(name)
        self.to_update.append(row)
        self.report.updated.append(_change(entry, changes))

    def _create(self, rows: list[Municipality]):
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            Municipality.objects.bulk_create(batch)
            self.by_key.update((row.key, row) for row in batch)
            self.done += len(batch)
            self._tick(self.done)

    def _deactivate_missing(self, existing: dict[str, Municipality]):
        """Rows of the imported Länder that the register no longer lists: inactive, not deleted."""
        entries = self.contents.entries
        in_scope = tuple(self.contents.lands)
        for key, row in sorted(existing.items()):
            if key.startswith(in_scope) and key not in entries and row.is_active:
                row.is_active = False
                self.changed_fields.add("is_active")
                self.to_update.append(row)
                self.report.deactivated.append((key, row.name))
                if len(key) == 5 and f"{key}000" in entries:
                    self.report.warnings.append(
                        f"{key} {row.name}: im Verzeichnis eine kreisfreie Stadt, geführt als "
                        f"{key}000; der Datensatz {key} wurde deaktiviert."
                    )

    def _save_updates(self):
        if not self.to_update:
            return
        for row in self.to_update:
            row.updated = self.now
        _save_changes(self.to_update, sorted(self.changed_fields) + ["updated"])

    def _values(self, entry: Entry) -> dict:
        parent = self.by_key[entry.parent_key] if entry.parent_key else None
        return {
            "name": entry.name,
            "official_name": entry.official_name,
            "kind": entry.kind,
            "parent": parent,
            "population": entry.population,
            "population_date": self.report.population_date
            if entry.population is not None
            else None,
            "area_km2": entry.area_km2,
            "postcode": entry.postcode,
            "is_active": True,
        }

    def _diff(self, row: Municipality, values: dict) -> list[tuple[str, object, object]]:
        changes = []
        for name, new in values.items():
            if name == "parent":
                if row.parent_id != (new.pk if new else None):
                    changes.append((name, self.key_by_pk.get(row.parent_id), new))
            elif getattr(row, name) != new:
                changes.append((name, getattr(row, name), new))
        return changes

    def _slug(self, entry: Entry) -> str:
        base = slug(entry.name) or entry.key
        candidates = [base]
        if entry.kreis_name:
            candidates.append(f"{base}-{slug(entry.kreis_name)}")
        candidates.append(f"{base}-{entry.key}")
        for candidate in candidates:
            candidate = candidate[:200].strip("-")
            if candidate not in self.slugs:
                self.slugs.add(candidate)
                return candidate
        raise RegisterError(
            f"keine freie Kurzadresse für {entry.key} {entry.name}", line=entry.line
        )

    def _tick(self, done: int):
        if self.progress:
            self.progress("Speichern", done, self.total)


def _change(entry: Entry, changes: list[tuple[str, object, object]]) -> Change:
    return Change(
        entry.key,
        entry.name,
        tuple(
            (_LABELS[name], _display(name, old), _display(name, new)) for name, old, new in changes
        ),
    )


def _display(name: str, value) -> object:
    if isinstance(value, Municipality):
        return value.key
    if name == "is_active":
        return "ja" if value else "nein"
    return value


def _save_changes(rows: list[Municipality], fields: list[str]):
    """One parameterised UPDATE per changed row, sent as one pipelined batch by psycopg.

    `bulk_update` builds a CASE expression per field and row; for a yearly register, where every
    population changes, it spent about 10 s resolving expressions for the rows of Germany.
    """
    meta, quote = Municipality._meta, connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in model_fields]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
