"""Step 2: from the register's records to the rows this portal keeps (`Entry`).

Land, Regierungsbezirk, Kreis and Gemeinde are stored by their official key (AGS). A kreisfreie
Stadt is one row with its 8-digit Gemeinde key; the register's Kreis record for it is folded into
that row. Regionen and Gemeindeverbände have no AGS of their own and are counted, not stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain

from municipalities.models import Municipality
from municipalities.register.parse import (
    KREIS,
    LAND,
    NAME_WIDTH,
    RECORD_TYPES,
    REGIERUNGSBEZIRK,
    TEXT_CODES,
    Column,
    Record,
    RegisterError,
)

Kind = Municipality.Kind

# Kreisfreie Stadt and Stadtkreis: in their Kreis record (4x) and their Gemeinde record (6x).
KREISFREI_CODES = {"41", "42", "61", "62"}

_GEMEINDE_KIND = {
    "60": Kind.GEMEINDE,
    "61": Kind.KREISFREIE_STADT,
    "62": Kind.KREISFREIE_STADT,
    "63": Kind.STADT,
    "64": Kind.GEMEINDE,
    "65": Kind.GEMEINDEFREIES_GEBIET,
    "66": Kind.GEMEINDEFREIES_GEBIET,
    "67": Kind.STADT,
}


@dataclass(slots=True)
class Entry:
    """The register's view of one municipality row."""

    key: str
    kind: str
    name: str
    official_name: str
    parent_key: str | None
    line: int
    population: int | None = None
    area_ha: int | None = None
    postcode: str = ""
    kreis_name: str = ""  # for a Gemeinde in a Kreis: the Kreis' short name, to tell twins apart

    @property
    def area_km2(self) -> Decimal | None:
        return None if self.area_ha is None else Decimal(self.area_ha) / 100


@dataclass
class RegisterContents:
    territory_date: date
    lands: list[str]  # the Länder covered, e.g. ["05"]
    entries: dict[str, Entry]
    skipped: Counter = field(default_factory=Counter)  # record types not stored, by name
    warnings: list[str] = field(default_factory=list)


def build_entries(records: Iterable[Record], *, land: str | None = None) -> RegisterContents:
    """The Land, Regierungsbezirk, Kreis and Gemeinde rows the records describe."""
    territory_date, by_type = _group_by_type(records, land)
    _check_not_empty(territory_date, by_type["10"], land)
    tree = _Tree(lands=by_type["10"], districts=by_type["20"], kreise=by_type["40"])
    gemeinden = by_type["60"].values()
    levels = (_lands(tree), _districts(tree), _kreise(tree), _gemeinden(gemeinden, tree))
    entries = {entry.key: entry for entry in chain(*levels)}
    _sum_up_figures(entries)
    return RegisterContents(
        territory_date=territory_date,
        lands=sorted(tree.lands),
        entries=entries,
        skipped=Counter({"Regionen": len(by_type["30"]), "Gemeindeverbände": len(by_type["50"])}),
        warnings=[
            *_kreisfrei_mismatches(gemeinden, tree),
            *_kreisfreie_staedte_without_gemeinde(tree, entries),
            *_possibly_cut_names(entries.values()),
        ],
    )


def _group_by_type(
    records: Iterable[Record], land: str | None
) -> tuple[date | None, dict[str, dict[str, Record]]]:
    """The territory date and the records (of `land` only, if given) by type and key."""
    by_type: dict[str, dict[str, Record]] = defaultdict(dict)
    territory_date = None
    for record in records:
        territory_date = territory_date or record.territory_date
        if not land or record.key.startswith(land):
            _add_once(by_type[record.record_type], record)
    return territory_date, by_type


def _add_once(same_type: dict[str, Record], record: Record):
    # A Gemeindeverband is numbered within its Kreis.
    unique = record.key + record.association if record.record_type == "50" else record.key
    if unique in same_type:
        raise RegisterError(
            f"{RECORD_TYPES[record.record_type]} {unique} steht doppelt im Verzeichnis "
            f"(zuerst in Zeile {same_type[unique].line})",
            line=record.line,
            field="Regionalschlüssel",
        )
    same_type[unique] = record


def _check_not_empty(territory_date: date | None, lands: dict[str, Record], land: str | None):
    if territory_date is None:
        raise RegisterError("Die Datei enthält keinen Datensatz.")
    if not lands:
        where = f" für Land {land}" if land else ""
        raise RegisterError(f"Die Datei enthält keinen Land-Datensatz (Satzart 10){where}.")


def _kreisfrei(record: Record) -> bool:
    return record.text_code in KREISFREI_CODES


@dataclass(frozen=True)
class _Tree:
    """The records above the Gemeinden, in which parents are looked up."""

    lands: dict[str, Record]
    districts: dict[str, Record]
    kreise: dict[str, Record]

    def above_kreis(self, record: Record, what: str) -> str:
        """Parent of a Kreis-level unit: the Regierungsbezirk where the Land has them."""
        land_key, district_key = record.key[:2], record.key[:3]
        if land_key not in self.lands:
            raise _missing_parent(what, record, LAND)
        if district_key in self.districts:
            return district_key
        if record.key[2] != "0" and any(k.startswith(land_key) for k in self.districts):
            raise _missing_parent(what, record, REGIERUNGSBEZIRK)
        return land_key

    def kreis_of(self, gemeinde: Record) -> Record | None:
        """The Kreis record of a Gemeinde; none for a gemeindefreies Gebiet outside any Kreis."""
        kreis = self.kreise.get(gemeinde.key[:5])
        outside_any_kreis = gemeinde.key[3:5] == "00" and not _kreisfrei(gemeinde)
        if kreis is None and not outside_any_kreis:
            raise _missing_parent("Gemeinde", gemeinde, KREIS)
        return kreis


# The level a part of the key stands for: its name, article and number of digits.
_PARENT_LEVELS = {
    LAND: ("Land", "das", 2),
    REGIERUNGSBEZIRK: ("Regierungsbezirk", "der", 3),
    KREIS: ("Kreis", "der", 5),
}


def _missing_parent(what: str, record: Record, level: Column) -> RegisterError:
    name, article, digits = _PARENT_LEVELS[level]
    return RegisterError(
        f"{what} {record.key} gehört zu {name} {record.key[:digits]}, {article} in der Datei fehlt",
        line=record.line,
        field=level.label,
    )


def _entry(record: Record, kind: str, name: str, parent_key: str | None, **figures) -> Entry:
    return Entry(
        key=record.key,
        kind=kind,
        name=name,
        official_name=record.official_name,
        parent_key=parent_key,
        line=record.line,
        **figures,
    )


def plain_name(official_name: str) -> str:
    """ "Solingen, Klingenstadt" → "Solingen": the name without the title after the comma."""
    return " ".join(official_name.split(",", 1)[0].split())


def _lands(tree: _Tree) -> Iterator[Entry]:
    for record in tree.lands.values():
        yield _entry(record, Kind.LAND, plain_name(record.official_name), None)


def _districts(tree: _Tree) -> Iterator[Entry]:
    for record in tree.districts.values():
        if record.key[:2] not in tree.lands:
            raise _missing_parent("Regierungsbezirk", record, LAND)
        name = plain_name(record.official_name).replace("Reg.-Bez.", "Regierungsbezirk")
        yield _entry(record, Kind.REGIERUNGSBEZIRK, name, record.key[:2])


def _kreise(tree: _Tree) -> Iterator[Entry]:
    for record in tree.kreise.values():
        parent = tree.above_kreis(record, "Kreis")
        if _kreisfrei(record):
            continue  # stored once, as its Gemeinde
        kind = Kind.STAEDTEREGION if record.official_name.startswith("Städteregion") else Kind.KREIS
        yield _entry(record, kind, _kreis_name(record), parent)


def _kreis_name(record: Record) -> str:
    """Kreise are listed by their bare name ("Mettmann"); the portal says "Kreis Mettmann"."""
    name = plain_name(record.official_name)
    lowered = name.lower()
    if "kreis" in lowered or lowered.startswith(("städteregion", "region")):
        return name
    if record.text_code == "43":
        return f"Kreis {name}"
    if record.text_code == "44":
        return f"Landkreis {name}"
    return name


def _gemeinden(gemeinden: Iterable[Record], tree: _Tree) -> Iterator[Entry]:
    for record in gemeinden:
        parent, kreis_name = _gemeinde_parent(record, tree)
        yield _entry(
            record,
            _GEMEINDE_KIND[record.text_code],
            plain_name(record.official_name),
            parent,
            population=record.population,
            area_ha=record.area_ha,
            postcode=record.postcode,
            kreis_name=kreis_name,
        )


def _gemeinde_parent(record: Record, tree: _Tree) -> tuple[str, str]:
    """The parent's key and, for a Gemeinde in a Kreis, the Kreis' short name."""
    kreis = tree.kreis_of(record)
    if kreis is None or _kreisfrei(record):
        return tree.above_kreis(record, "Gemeinde"), ""
    kreis_name = plain_name(kreis.official_name)
    if _kreisfrei(kreis):  # the Kreis record says kreisfreie Stadt, which is not stored
        return tree.above_kreis(kreis, "Kreis"), kreis_name
    return kreis.key, kreis_name


def _kreisfrei_mismatches(gemeinden: Iterable[Record], tree: _Tree) -> Iterator[str]:
    """Gemeinden that are kreisfrei where their Kreis record says otherwise, or vice versa."""
    for record in gemeinden:
        kreis = tree.kreise.get(record.key[:5])
        if kreis is not None and _kreisfrei(record) != _kreisfrei(kreis):
            yield (
                f"Zeile {record.line}: {plain_name(record.official_name)} ({record.key}) ist "
                f"„{TEXT_CODES['60'][record.text_code]}“, ihr Kreis {kreis.key} aber "
                f"„{TEXT_CODES['40'][kreis.text_code]}“."
            )


def _kreisfreie_staedte_without_gemeinde(tree: _Tree, entries: dict[str, Entry]) -> Iterator[str]:
    for key, record in tree.kreise.items():
        if _kreisfrei(record) and key + "000" not in entries:
            yield (
                f"Zeile {record.line}: {record.official_name} ({key}) ist eine kreisfreie "
                f"Stadt, aber die Datei enthält keine Gemeinde {key}000."
            )


def _sum_up_figures(entries: dict[str, Entry]):
    """Land, Regierungsbezirk and Kreis: population and area are the sums of their Gemeinden."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for entry in entries.values():
        if len(entry.key) == 8:
            for length in (2, 3, 5):
                total = totals[entry.key[:length]]
                total[0] += entry.population
                total[1] += entry.area_ha
    for entry in entries.values():
        if len(entry.key) < 8 and entry.key in totals:
            entry.population, entry.area_ha = totals[entry.key]


def _possibly_cut_names(entries: Iterable[Entry]) -> Iterator[str]:
    for entry in entries:
        if len(entry.official_name) >= NAME_WIDTH:
            yield (
                f"Zeile {entry.line}: die Bezeichnung von {entry.key} füllt alle {NAME_WIDTH} "
                f"Stellen und ist womöglich gekürzt: „{entry.official_name}“."
            )
