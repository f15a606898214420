"""Import of the official municipality register: Destatis' Gemeindeverzeichnis, file GV100AD.

Record types: 10 Land · 20 Regierungsbezirk · 30 Region (Baden-Württemberg only) · 40 Kreis ·
50 Gemeindeverband · 60 Gemeinde. Three steps, each testable on its own, as in froide's
``publicbody/csv_import.py``:

`parse` (``read_register``, ``parse_lines``)
    Checks every field of every line and yields `Record`s; a bad line raises `RegisterError`
    naming the line number and the field.
`build` (``build_entries``)
    Turns the records into the rows this portal keeps (`Entry`), by official key (AGS).
`write` (``write_entries``)
    Creates, updates and deactivates `Municipality` rows and lists every change in an
    `ImportReport`.

``import_register`` runs the three in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.db import transaction

from municipalities.register.build import Entry, RegisterContents, build_entries, plain_name
from municipalities.register.parse import (
    Progress,
    Record,
    RegisterError,
    parse_lines,
    population_date_from_notes,
    read_register,
)
from municipalities.register.write import Change, ImportReport, write_entries

__all__ = [
    "Change",
    "Entry",
    "ImportReport",
    "Progress",
    "Record",
    "RegisterContents",
    "RegisterError",
    "build_entries",
    "import_register",
    "parse_lines",
    "plain_name",
    "population_date_from_notes",
    "read_register",
    "write_entries",
]


def import_register(
    path: str | Path | None = None,
    *,
    records: Iterable[Record] | None = None,
    land: str | None = None,
    population_date: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Bring the municipalities in line with a register file (or already parsed records).

    Rows are matched by official key: curated rows keep their slug and everything the register
    does not own. Rows of the imported Länder that the register no longer lists are marked
    inactive, never deleted. All or nothing: any error leaves the database as it was, and a dry
    run rolls back after computing the report.
    """
    if land is not None and not re.fullmatch(r"\d{2}", land):
        raise RegisterError(f"--land erwartet einen zweistelligen Länderschlüssel, nicht {land!r}")
    if records is None:
        if path is None:
            raise TypeError("import_register needs a path or records")
        records = read_register(path, progress=progress)
    contents = build_entries(records, land=land)
    if land and land not in contents.lands:
        raise RegisterError(f"Land {land} kommt in der Datei nicht vor.")
    report = _report(contents, population_date, dry_run)
    with transaction.atomic():
        write_entries(contents, report, progress)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _report(contents: RegisterContents, population_date: date | None, dry_run: bool):
    """The report before writing: what the file says, and the warnings about it."""
    warnings = list(contents.warnings)
    if population_date is None:
        population_date = date(contents.territory_date.year - 1, 12, 31)
        warnings.insert(
            0,
            f"Stichtag der Einwohnerzahlen nicht angegeben; angenommen {population_date:%d.%m.%Y} "
            "(31.12. des Vorjahres des Gebietsstands). Die Hinweise-Datei von Destatis oder "
            "--population-date nennt ihn genau.",
        )
    return ImportReport(
        territory_date=contents.territory_date,
        population_date=population_date,
        lands=contents.lands,
        dry_run=dry_run,
        skipped=contents.skipped,
        warnings=warnings,
    )
