"""Writing and removing the synthetic catalogue in bulk: COPY in one transaction, with the
foreign keys checked once at the end instead of by a trigger per row."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from programmes.models import ApplicationWindow, Link, Participation, Programme, Source
from programmes.synthetic.generator import PART_COLUMNS, PROGRAMME_COLUMNS, ChildRows, Generator
from programmes.synthetic.vocabulary import Vocabulary

_THROUGH = {
    "topics": Programme.topics.through,
    "target_groups": Programme.target_groups.through,
    "funding_types": Programme.funding_types.through,
    "principles": Programme.principles.through,
}
_PARTS = {"windows": ApplicationWindow, "links": Link, "participations": Participation}
_CHILD_TABLES = [*_THROUGH.values(), *_PARTS.values()]
_TABLES = [Programme, *_CHILD_TABLES]


@dataclass
class GenerationReport:
    programmes: int
    child_rows: int
    seconds: float


def generate_catalogue(
    *, count: int, seed: int = 1, today: date | None = None, fixtures: Path | None = None
) -> GenerationReport:
    """Write `count` synthetic programmes with their child rows, in one transaction."""
    started = time.perf_counter()
    vocabulary = Vocabulary.load(fixtures)
    if Programme.objects.filter(is_synthetic=True, slug__endswith=f"-s{seed}-0").exists():
        raise ValueError(
            f"Es gibt schon synthetische Programme mit dem Startwert {seed}: erst entfernen "
            "(--remove) oder einen anderen Startwert (--seed) wählen."
        )
    generator = Generator(vocabulary, seed=seed, today=today or timezone.localdate())
    children = ChildRows()
    with transaction.atomic(), _foreign_keys_checked_once(_TABLES):
        rows = generator.programmes(count, _reserve_ids(Programme, count), children)
        _copy(Programme, PROGRAMME_COLUMNS, rows)
        for name, model in _THROUGH.items():
            reverse = Programme._meta.get_field(name).m2m_reverse_field_name()
            columns = ("programme_id", model._meta.get_field(reverse).column)
            _copy(model, columns, getattr(children, name))
        for name, model in _PARTS.items():
            _copy(model, PART_COLUMNS[name], getattr(children, name))
    with connection.cursor() as cursor:  # fresh statistics: the planner sees the new sizes
        for model in _TABLES:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    child_rows = sum(len(rows) for rows in vars(children).values())
    return GenerationReport(count, child_rows, time.perf_counter() - started)


def remove_synthetic() -> int:
    """Delete every synthetic programme and its child rows; returns how many programmes."""
    synthetic = "SELECT id FROM programmes_programme WHERE is_synthetic"
    source_type = ContentType.objects.get_for_model(Programme).pk
    with transaction.atomic(), _foreign_keys_checked_once(_TABLES), connection.cursor() as cursor:
        for model in _CHILD_TABLES:
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE programme_id IN ({synthetic})")
        cursor.execute(
            f"DELETE FROM {Source._meta.db_table} WHERE content_type_id = %s "
            f"AND object_id IN ({synthetic})",
            [source_type],
        )
        # Real programmes never stay pointing at a removed one.
        cursor.execute(
            f"UPDATE programmes_programme SET predecessor_id = NULL WHERE NOT is_synthetic "
            f"AND predecessor_id IN ({synthetic})"
        )
        cursor.execute("DELETE FROM programmes_programme WHERE is_synthetic")
        removed = cursor.rowcount
    return removed


@contextmanager
def _foreign_keys_checked_once(models):
    """PostgreSQL's advice for bulk loads ("Populating a Database"): drop the foreign keys of
    the tables being filled and add them back afterwards. Adding one checks all rows with a
    single join instead of a trigger per row (a million of them here: ~10 s saved).

    The keys are re-created from their own definitions in the catalogue, in the same
    transaction: if a row were wrong, adding the key back fails and nothing is written.
    """
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Checks still pending from earlier in an enclosing transaction run now: a table with
        # pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares its foreign keys


def _reserve_ids(model, count: int) -> int:
    """Take `count` consecutive ids from the table's sequence and return the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT setval(%s, GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM "
            f"{table})) + %s - 1)",
            [sequence, sequence, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


def _copy(model, columns, rows) -> None:
    table = model._meta.db_table
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
