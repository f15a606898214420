"""NRW's official register rows and simplified outlines, shipped as the project's own data files,
so that a fresh install shows every NRW municipality with its figures and maps.

``manage.py build_nrw_data DIR`` derives the two files from the official downloads in DIR
(Destatis GV100AD with its notes, BKG VG5000 layers as GeoJSON); building them again from the
same downloads gives the same bytes. ``manage.py load_nrw_data`` (run by ``make run``) brings
the database in line with them through the importers' own writers: a second run writes nothing.
The importers stay for new editions and for the rest of Germany (docs/register.md).
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, fields
from datetime import date
from pathlib import Path

from django.db import transaction

from municipalities.attribution import BKG, register_attribution
from municipalities.boundaries import (
    DEFAULT_PRECISION,
    DEFAULT_TOLERANCE,
    BoundaryReport,
    merged_by_key,
    read_features,
    simplified_outlines,
    write_outlines,
)
from municipalities.register import (
    Entry,
    ImportReport,
    RegisterContents,
    build_entries,
    population_date_from_notes,
    read_register,
    write_entries,
)

NRW = "05"
DATA_DIR = Path(__file__).parent / "data"
REGISTER_FILE = "nrw-register.json"
OUTLINES_FILE = "nrw-outlines.json"
REGISTER_SOURCE = "GV100AD_30112025.txt"
# Layer → official file, in the order they are written (a kreisfreie Stadt's row gets the
# outline of its Kreis-layer feature first, then that of its Gemeinde feature).
LAYERS = {
    "land": "nrw_land_vg5000_2021.geojson",
    "regierungsbezirke": "nrw_regbez_vg5000_2021.geojson",
    "kreise": "nrw_kreise_vg5000_2021.geojson",
    "gemeinden": "nrw_gemeinden_vg5000_2021.geojson",
}
COLUMNS = [f.name for f in fields(Entry) if f.name != "line"]


# --- Building the files from the official downloads -------------------------------------------


def build_files(source: Path, target: Path = DATA_DIR) -> list[Path]:
    """Write both data files from the official downloads in `source`; returns their paths."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        (REGISTER_FILE, register_text(source / REGISTER_SOURCE)),
        (OUTLINES_FILE, outlines_text({layer: source / f for layer, f in LAYERS.items()})),
    ):
        (target / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    return written


def register_text(path: Path) -> str:
    contents = build_entries(read_register(path), land=NRW)
    population_date = population_date_from_notes(path)
    header = {
        "attribution": register_attribution(contents.territory_date),
        "licence": "Vervielfältigung und Verbreitung, auch auszugsweise, mit Quellenangabe "
        "gestattet (Destatis)",
        "source": f"{path.name}: die Datensätze des Landes {NRW}",
        "territory_date": contents.territory_date.isoformat(),
        "population_date": population_date.isoformat() if population_date else None,
        "columns": COLUMNS,
    }
    rows = [[asdict(entry)[column] for column in COLUMNS] for entry in contents.entries.values()]
    return _document(header, "rows", [_line(row) for row in sorted(rows)])


def outlines_text(paths: dict[str, Path]) -> str:
    """All four layers simplified as one topology: a border is the same line on the map of
    Kreise and on that of Gemeinden, and a kreisfreie Stadt has one outline in both layers."""
    header = {
        "attribution": BKG,
        "source": "BKG VG5000 (Stand 01.01.2021), alle Ebenen gemeinsam als Topologie "
        f"vereinfacht (Toleranz {DEFAULT_TOLERANCE}°, {DEFAULT_PRECISION} Nachkommastellen)",
        "layers": list(paths),
    }
    features = {}
    for layer, path in paths.items():
        for key, feature in merged_by_key(read_features(path)).items():
            features[f"{layer}:{key}"] = feature
    outlines = simplified_outlines(
        features, tolerance=DEFAULT_TOLERANCE, precision=DEFAULT_PRECISION
    )
    lines = []
    for layer in paths:
        keys = sorted(k for k in features if k.startswith(f"{layer}:"))
        lines += [_line([*k.split(":"), features[k].name, outlines[k]]) for k in keys]
    return _document(header, "outlines", lines)


def _line(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _document(header: dict, name: str, lines: list[str]) -> str:
    """The header readable, then one row per line: a new edition's diff shows what changed."""
    head = json.dumps(header, ensure_ascii=False, indent=1)[:-2]
    return f'{head},\n "{name}": [\n' + ",\n".join(lines) + "\n ]\n}\n"


# --- Loading them -----------------------------------------------------------------------------


@functools.cache
def _read(name: str, directory: Path = DATA_DIR) -> dict:
    return json.loads((directory / name).read_text("utf-8"))


def register_edition() -> tuple[date, date | None]:
    """(Gebietsstand, population reference date) of the shipped register."""
    data = _read(REGISTER_FILE)
    population = data["population_date"]
    return date.fromisoformat(data["territory_date"]), population and date.fromisoformat(population)


@transaction.atomic
def load_register(directory: Path = DATA_DIR) -> ImportReport:
    """Create or update every NRW row; rows the register no longer lists become inactive."""
    data = _read(REGISTER_FILE, directory)
    entries = {}
    for number, row in enumerate(data["rows"], start=1):
        entry = Entry(**dict(zip(data["columns"], row, strict=True)), line=number)
        entries[entry.key] = entry
    territory_date, population_date = register_edition()
    contents = RegisterContents(territory_date=territory_date, lands=[NRW], entries=entries)
    report = ImportReport(territory_date, population_date, lands=[NRW])
    write_entries(contents, report, progress=None)
    return report


@transaction.atomic
def load_outlines(directory: Path = DATA_DIR) -> BoundaryReport:
    data = _read(OUTLINES_FILE, directory)
    report = BoundaryReport(features=len(data["outlines"]))
    for layer in data["layers"]:
        rows = [row for row in data["outlines"] if row[0] == layer]
        write_outlines({key: outline for _, key, _, outline in rows},
                       {key: name for _, key, name, _ in rows}, report)  # fmt: skip
    return report
