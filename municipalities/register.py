"""Import of the official municipality register: Destatis' Gemeindeverzeichnis, file GV100AD.

The file has one fixed-width record of 220 characters per line (UTF-8 since the Sorbian names
arrived), described in Destatis' "Datensatzbeschreibung GV100AD". Record types:

    10 Land · 20 Regierungsbezirk · 30 Region (Baden-Württemberg only) · 40 Kreis
    50 Gemeindeverband · 60 Gemeinde

Three steps, each testable on its own, as in froide's ``publicbody/csv_import.py``:

``parse_lines``/``read_register``
    Checks every field of every line and yields `Record`s; a bad line raises `RegisterError`
    naming the line number and the field.
``build_entries``
    Turns the records into the rows this portal keeps (`Entry`): Land, Regierungsbezirk, Kreis
    and Gemeinde by their official key (AGS). A kreisfreie Stadt is one row with its 8-digit
    Gemeinde key; the register's Kreis record for it is folded into that row. Regionen and
    Gemeindeverbände have no AGS of their own and are counted, not stored.
``import_register``
    Creates, updates and deactivates `Municipality` rows in one transaction with a handful of
    bulk queries, and returns an `ImportReport` that lists every change.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from municipalities.models import Municipality

RECORD_LENGTH = 220
NAME_WIDTH = 50

Kind = Municipality.Kind
Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while an import runs."""


class RegisterError(ValueError):
    """A register file that cannot be imported: says where (line, field) and what is wrong."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        self.message, self.line, self.field = message, line, field
        where = []
        if line is not None:
            where.append(f"Zeile {line}")
        if field:
            where.append(f"Feld „{field}“")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


# Positions as in the Datensatzbeschreibung: 1-based, both ends included.
@dataclass(frozen=True)
class Column:
    label: str
    start: int
    end: int

    def cut(self, line: str) -> str:
        return line[self.start - 1 : self.end]


RECORD_TYPE = Column("Satzart", 1, 2)
TERRITORY_DATE = Column("Gebietsstand", 3, 10)
LAND = Column("Regionalschlüssel: Land", 11, 12)
REGIERUNGSBEZIRK = Column("Regionalschlüssel: Regierungsbezirk", 13, 13)
REGION = Column("Regionalschlüssel: Region", 14, 14)
REGION_REST = Column("Regionalschlüssel: Region", 15, 15)
KREIS = Column("Regionalschlüssel: Kreis", 14, 15)
GEMEINDE = Column("Regionalschlüssel: Gemeinde", 16, 18)
VERBAND = Column("Gemeindeverband", 19, 22)
NAME = Column("Bezeichnung", 23, 72)
SEAT = Column("Verwaltungssitz", 73, 122)
TEXT_CODE = Column("Textkennzeichen", 123, 124)
AREA = Column("Fläche in ha", 129, 139)
POPULATION = Column("Bevölkerung insgesamt", 140, 150)
POPULATION_MALE = Column("Bevölkerung männlich", 151, 161)
POSTCODE = Column("Postleitzahl", 166, 170)

COLUMNS = (
    RECORD_TYPE, TERRITORY_DATE, LAND, REGIERUNGSBEZIRK, KREIS, GEMEINDE, VERBAND, NAME, SEAT,
    TEXT_CODE, AREA, POPULATION, POPULATION_MALE, POSTCODE,
)  # fmt: skip

RECORD_TYPES = {
    "10": "Land",
    "20": "Regierungsbezirk",
    "30": "Region",
    "40": "Kreis",
    "50": "Gemeindeverband",
    "60": "Gemeinde",
}

# Which parts of the regional key a record type fills (digits) and which it leaves blank.
_KEY_LAYOUT = {
    "10": ((LAND,), (REGIERUNGSBEZIRK, KREIS, GEMEINDE, VERBAND)),
    "20": ((LAND, REGIERUNGSBEZIRK), (KREIS, GEMEINDE, VERBAND)),
    "30": ((LAND, REGIERUNGSBEZIRK, REGION), (REGION_REST, GEMEINDE, VERBAND)),
    "40": ((LAND, REGIERUNGSBEZIRK, KREIS), (GEMEINDE, VERBAND)),
    "50": ((LAND, REGIERUNGSBEZIRK, KREIS, VERBAND), (GEMEINDE,)),
    "60": ((LAND, REGIERUNGSBEZIRK, KREIS, GEMEINDE, VERBAND), ()),
}

# Textkennzeichen: the legal form. Records 10 to 30 leave it blank.
TEXT_CODES = {
    "40": {
        "41": "Kreisfreie Stadt", "42": "Stadtkreis", "43": "Kreis", "44": "Landkreis",
        "45": "Regionalverband",
    },
    "50": {
        "50": "verbandsfreie Gemeinde", "51": "Amt", "52": "Samtgemeinde",
        "53": "Verbandsgemeinde", "54": "Verwaltungsgemeinschaft",
        "55": "Kirchspielslandgemeinde", "56": "Verwaltungsverband", "57": "VG Trägermodell",
        "58": "Erfüllende Gemeinde",
    },
    "60": {
        "60": "Markt", "61": "Kreisfreie Stadt", "62": "Stadtkreis", "63": "Stadt",
        "64": "Kreisangehörige Gemeinde", "65": "gemeindefreies Gebiet, bewohnt",
        "66": "gemeindefreies Gebiet, unbewohnt", "67": "Große Kreisstadt",
    },
}  # fmt: skip
CITY_COUNTY_CODES = {"41", "42"}  # Kreis record of a kreisfreie Stadt / Stadtkreis
CITY_CODES = {"61", "62"}  # its Gemeinde record

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


@dataclass(frozen=True, slots=True)
class Record:
    """One line of the register, every field checked."""

    line: int
    record_type: str
    territory_date: date
    key: str  # 2 (Land), 3 (Reg.-Bez.), 4 (Region), 5 (Kreis/Verband) or 8 (Gemeinde) digits
    association: str  # Gemeindeverband, 4 digits; "" for records above it
    official_name: str
    seat: str
    text_code: str
    area_ha: int | None = None
    population: int | None = None
    postcode: str = ""


# --- Step 1: parse ---------------------------------------------------------------------------


def read_register(path: str | Path, *, progress: Progress | None = None) -> list[Record]:
    """All records of a register file; `RegisterError` on the first bad line."""
    path = Path(path)
    total = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(b"PK\x03\x04"):
            raise RegisterError(
                "Das ist ein ZIP-Archiv. Bitte zuerst entpacken und die Datei GV100AD_….txt "
                "angeben.",
                line=1,
            )
        handle.seek(0)
        return list(parse_lines(_counting(handle, total, progress)))


def _counting(lines: Iterable[bytes], total: int, progress: Progress | None) -> Iterator[bytes]:
    done, step, next_report = 0, max(total // 100, 1), 0
    for raw in lines:
        yield raw
        if progress:
            done += len(raw)
            if done >= next_report:
                progress("Datei lesen", done, total)
                next_report = done + step
    if progress:
        progress("Datei lesen", total, total)


def parse_lines(lines: Iterable[bytes | str]) -> Iterator[Record]:
    """Records from the lines of a register file (bytes as read from disk, or text)."""
    territory_date: tuple[date, int] | None = None
    for number, raw in enumerate(lines, start=1):
        line = _decode(raw, number) if isinstance(raw, bytes) else raw
        if number == 1:
            line = line.removeprefix("\ufeff")
        line = line.rstrip("\r\n")
        if not line:
            continue  # a blank line, e.g. at the end of the file
        try:
            record = _parse_record(line, number)
        except RegisterError as error:
            if number == 1:
                raise RegisterError(
                    f"{error.message} – ist das eine GV100AD-Datei (Festformat, "
                    f"{RECORD_LENGTH} Zeichen je Satz, UTF-8)?",
                    line=error.line,
                    field=error.field,
                ) from None
            raise
        if territory_date is None:
            territory_date = (record.territory_date, number)
        elif record.territory_date != territory_date[0]:
            raise RegisterError(
                f"{record.territory_date:%d.%m.%Y} weicht von {territory_date[0]:%d.%m.%Y} "
                f"(Zeile {territory_date[1]}) ab; sind zwei Ausgaben vermischt?",
                line=number,
                field=TERRITORY_DATE.label,
            )
        yield record


def _decode(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        position = len(raw[: error.start].decode("utf-8", errors="replace")) + 1
        column = next((c for c in COLUMNS if c.start <= position <= c.end), None)
        latin1 = raw.decode("latin-1")
        hint = ""
        if any(ch in latin1 for ch in "äöüÄÖÜß"):
            hint = (
                " Die Datei ist offenbar ISO-8859-1 (Latin-1) oder Windows-1252 kodiert; "
                "erwartet wird UTF-8 (umwandeln z. B. mit iconv -f latin1 -t utf-8)."
            )
        raise RegisterError(
            f"kein gültiges UTF-8 (Byte 0x{raw[error.start]:02X} an Stelle {position}).{hint}",
            line=number,
            field=column.label if column else None,
        ) from None


def _parse_record(line: str, number: int) -> Record:
    def fail(column: Column | None, message: str):
        raise RegisterError(message, line=number, field=column.label if column else "Satzlänge")

    record_type = RECORD_TYPE.cut(line)
    if record_type not in RECORD_TYPES:
        fail(RECORD_TYPE, f"unbekannte Satzart {record_type!r} (erwartet 10, 20, 30, 40, 50, 60)")
    if len(line) != RECORD_LENGTH:
        fail(
            None,
            f"{len(line)} Zeichen statt {RECORD_LENGTH}; ist die Zeile abgeschnitten oder "
            "verrutscht?",
        )

    raw_date = TERRITORY_DATE.cut(line)
    try:
        territory_date = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:]))
    except ValueError:
        fail(TERRITORY_DATE, f"{raw_date!r} ist kein Datum JJJJMMTT")

    digits, blanks = _KEY_LAYOUT[record_type]
    for column in digits:
        value = column.cut(line)
        if not (value.isascii() and value.isdigit()):
            fail(column, f"{value!r} sind keine Ziffern (Satzart {record_type})")
    for column in blanks:
        if column.cut(line).strip():
            fail(column, f"muss bei Satzart {record_type} leer sein, enthält {column.cut(line)!r}")
    key = "".join(c.cut(line) for c in digits if c is not VERBAND)
    association = VERBAND.cut(line) if VERBAND in digits else ""

    official_name = NAME.cut(line).rstrip()
    if not official_name:
        fail(NAME, "leer")

    text_code = TEXT_CODE.cut(line)
    codes = TEXT_CODES.get(record_type)
    if codes is None and text_code.strip():
        fail(TEXT_CODE, f"muss bei Satzart {record_type} leer sein, enthält {text_code!r}")
    if codes is not None and text_code not in codes:
        fail(
            TEXT_CODE,
            f"unbekannter Wert {text_code!r} für Satzart {record_type} "
            f"(erwartet {', '.join(sorted(codes))})",
        )

    extra = {}
    if record_type == "60":
        for column, name in ((AREA, "area_ha"), (POPULATION, "population")):
            extra[name] = _number(column.cut(line), column, number)
        _number(POPULATION_MALE.cut(line), POPULATION_MALE, number)
        postcode = POSTCODE.cut(line).strip()
        if postcode and not (postcode.isascii() and postcode.isdigit() and len(postcode) == 5):
            fail(POSTCODE, f"{postcode!r} ist keine fünfstellige Postleitzahl")
        extra["postcode"] = postcode

    return Record(
        line=number,
        record_type=record_type,
        territory_date=territory_date,
        key=key,
        association=association,
        official_name=official_name,
        seat=SEAT.cut(line).strip(),
        text_code=text_code.strip(),
        **extra,
    )


def _number(value: str, column: Column, line: int) -> int:
    if not (value.isascii() and value.isdigit()):
        raise RegisterError(
            f"{value!r} ist keine Zahl ({len(value)} Ziffern erwartet)",
            line=line,
            field=column.label,
        )
    return int(value)


_NOTES_DATE = re.compile(r"Bevölkerungsangaben\s+basieren.*?Stichtag\s+(\d{2})\.(\d{2})\.(\d{4})")


def population_date_from_notes(register_path: str | Path) -> date | None:
    """The population reference date from the notes Destatis ships next to the file.

    GV100AD itself carries only the Gebietsstand; the reference date of the population
    ("Die Bevölkerungsangaben basieren … auf dem Stichtag 31.12.2024") is in
    ``GV100AD_<Gebietsstand>_Hinweise.txt`` in the same download.
    """
    path = Path(register_path)
    edition = re.match(r"GV100AD_\d{8}", path.stem)
    candidates = [path.with_name(f"{path.stem}_Hinweise.txt")]
    if edition:  # also next to an extract such as GV100AD_30112025_NRW_only.txt
        candidates.append(path.with_name(f"{edition.group()}_Hinweise.txt"))
    notes = next((c for c in candidates if c.exists()), None)
    if notes is None:
        return None
    match = _NOTES_DATE.search(notes.read_text(encoding="utf-8-sig", errors="replace"))
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


# --- Step 2: the rows this portal keeps --------------------------------------------------------


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


def plain_name(official_name: str) -> str:
    """ "Solingen, Klingenstadt" → "Solingen": the name without the title after the comma."""
    return " ".join(official_name.split(",", 1)[0].split())


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


def build_entries(records: Iterable[Record], *, land: str | None = None) -> RegisterContents:
    """The Land, Regierungsbezirk, Kreis and Gemeinde rows the records describe."""
    by_type: dict[str, dict[str, Record]] = defaultdict(dict)
    territory_date = None
    for record in records:
        territory_date = territory_date or record.territory_date
        if land and not record.key.startswith(land):
            continue
        same = by_type[record.record_type]
        unique = record.key + record.association if record.record_type == "50" else record.key
        if unique in same:
            raise RegisterError(
                f"{RECORD_TYPES[record.record_type]} {unique} steht doppelt im Verzeichnis "
                f"(zuerst in Zeile {same[unique].line})",
                line=record.line,
                field="Regionalschlüssel",
            )
        same[unique] = record

    lands, districts, kreise = by_type["10"], by_type["20"], by_type["40"]
    if territory_date is None:
        raise RegisterError("Die Datei enthält keinen Datensatz.")
    if not lands:
        where = f" für Land {land}" if land else ""
        raise RegisterError(f"Die Datei enthält keinen Land-Datensatz (Satzart 10){where}.")

    contents = RegisterContents(territory_date=territory_date, lands=sorted(lands), entries={})
    contents.skipped.update(
        {"Regionen": len(by_type["30"]), "Gemeindeverbände": len(by_type["50"])}
    )
    entries = contents.entries

    def above_kreis(record: Record, what: str) -> str:
        """Parent of a Kreis-level unit: the Regierungsbezirk where the Land has them."""
        land_key, district_key = record.key[:2], record.key[:3]
        if land_key not in lands:
            raise RegisterError(
                f"{what} {record.key} gehört zu Land {land_key}, das in der Datei fehlt",
                line=record.line,
                field=LAND.label,
            )
        if district_key in districts:
            return district_key
        if record.key[2] != "0" and any(k.startswith(land_key) for k in districts):
            raise RegisterError(
                f"{what} {record.key} gehört zu Regierungsbezirk {district_key}, der in der "
                "Datei fehlt",
                line=record.line,
                field=REGIERUNGSBEZIRK.label,
            )
        return land_key

    for key, record in lands.items():
        entries[key] = Entry(
            key=key,
            kind=Kind.LAND,
            name=plain_name(record.official_name),
            official_name=record.official_name,
            parent_key=None,
            line=record.line,
        )
    for key, record in districts.items():
        if key[:2] not in lands:
            raise RegisterError(
                f"Regierungsbezirk {key} gehört zu Land {key[:2]}, das in der Datei fehlt",
                line=record.line,
                field=LAND.label,
            )
        name = plain_name(record.official_name).replace("Reg.-Bez.", "Regierungsbezirk")
        entries[key] = Entry(
            key=key,
            kind=Kind.REGIERUNGSBEZIRK,
            name=name,
            official_name=record.official_name,
            parent_key=key[:2],
            line=record.line,
        )
    for key, record in kreise.items():
        parent = above_kreis(record, "Kreis")
        if record.text_code in CITY_COUNTY_CODES:
            continue  # stored once, as its Gemeinde (below)
        kind = Kind.STAEDTEREGION if record.official_name.startswith("Städteregion") else Kind.KREIS
        entries[key] = Entry(
            key=key,
            kind=kind,
            name=_kreis_name(record),
            official_name=record.official_name,
            parent_key=parent,
            line=record.line,
        )

    for key, record in by_type["60"].items():
        kreis = kreise.get(key[:5])
        is_city = record.text_code in CITY_CODES
        if kreis is None and not (key[3:5] == "00" and not is_city):
            raise RegisterError(
                f"Gemeinde {key} gehört zu Kreis {key[:5]}, der in der Datei fehlt",
                line=record.line,
                field=KREIS.label,
            )
        if kreis is not None and is_city != (kreis.text_code in CITY_COUNTY_CODES):
            contents.warnings.append(
                f"Zeile {record.line}: {plain_name(record.official_name)} ({key}) ist "
                f"„{TEXT_CODES['60'][record.text_code]}“, ihr Kreis {key[:5]} aber "
                f"„{TEXT_CODES['40'][kreis.text_code]}“."
            )
        if is_city or kreis is None:
            parent, kreis_name = above_kreis(record, "Gemeinde"), ""
        else:
            parent, kreis_name = key[:5], plain_name(kreis.official_name)
            if parent not in entries:  # the Kreis record says kreisfreie Stadt
                parent = above_kreis(kreis, "Kreis")
        entries[key] = Entry(
            key=key,
            kind=_GEMEINDE_KIND[record.text_code],
            name=plain_name(record.official_name),
            official_name=record.official_name,
            parent_key=parent,
            line=record.line,
            population=record.population,
            area_ha=record.area_ha,
            postcode=record.postcode,
            kreis_name=kreis_name,
        )

    for key, record in kreise.items():
        if record.text_code in CITY_COUNTY_CODES and key + "000" not in entries:
            contents.warnings.append(
                f"Zeile {record.line}: {record.official_name} ({key}) ist eine kreisfreie "
                f"Stadt, aber die Datei enthält keine Gemeinde {key}000."
            )

    # Land, Regierungsbezirk and Kreis: population and area are the sums of their Gemeinden.
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

    for entry in entries.values():
        if len(entry.official_name) >= NAME_WIDTH:
            contents.warnings.append(
                f"Zeile {entry.line}: die Bezeichnung von {entry.key} füllt alle {NAME_WIDTH} "
                f"Stellen und ist womöglich gekürzt: „{entry.official_name}“."
            )
    return contents


# --- Step 3: write -----------------------------------------------------------------------------


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
    warnings = list(contents.warnings)
    if population_date is None:
        population_date = date(contents.territory_date.year - 1, 12, 31)
        warnings.insert(
            0,
            f"Stichtag der Einwohnerzahlen nicht angegeben; angenommen {population_date:%d.%m.%Y} "
            "(31.12. des Vorjahres des Gebietsstands). Die Hinweise-Datei von Destatis oder "
            "--population-date nennt ihn genau.",
        )
    report = ImportReport(
        territory_date=contents.territory_date,
        population_date=population_date,
        lands=contents.lands,
        dry_run=dry_run,
        skipped=contents.skipped,
        warnings=warnings,
    )
    with transaction.atomic():
        _Sync(contents, report, progress).run()
        if dry_run:
            transaction.set_rollback(True)
    return report


class _Sync:
    """Writes the entries: four bulk inserts (one per level), one bulk update."""

    def __init__(self, contents: RegisterContents, report: ImportReport, progress):
        self.contents, self.report, self.progress = contents, report, progress
        self.now = timezone.now()

    def run(self):
        entries = self.contents.entries
        existing = {m.key: m for m in Municipality.objects.defer("outline").order_by()}
        self.by_key = dict(existing)
        self.slugs = {m.slug for m in existing.values()}
        self.key_by_pk = {m.pk: m.key for m in existing.values()}
        to_update: list[Municipality] = []
        changed_fields: set[str] = set()
        total, done = len(entries), 0

        for length in (2, 3, 5, 8):
            level = [e for e in entries.values() if len(e.key) == length]
            # Bigger places first, so the most populous "Neustadt" gets the plain address.
            level.sort(key=lambda e: (-(e.population or 0), e.key))
            to_create = []
            for entry in level:
                values = self._values(entry)
                row = existing.get(entry.key)
                if row is None:
                    row = Municipality(key=entry.key, slug=self._slug(entry), **values)
                    to_create.append(row)
                    self.report.created.append((entry.key, entry.name))
                    continue
                changes = self._diff(row, values)
                if changes:
                    for name, _old, new_value in changes:
                        setattr(row, name, new_value)
                        changed_fields.add(name)
                    to_update.append(row)
                    self.report.updated.append(
                        Change(
                            entry.key,
                            entry.name,
                            tuple(
                                (_LABELS[name], _display(name, old), _display(name, new))
                                for name, old, new in changes
                            ),
                        )
                    )
                else:
                    self.report.unchanged += 1
            for start in range(0, len(to_create), _BATCH):
                batch = to_create[start : start + _BATCH]
                Municipality.objects.bulk_create(batch)
                self.by_key.update((row.key, row) for row in batch)
                done += len(batch)
                self._tick(done, total)
            done += len(level) - len(to_create)
            self._tick(done, total)

        in_scope = tuple(self.contents.lands)
        for key, row in sorted(existing.items()):
            if key.startswith(in_scope) and key not in entries and row.is_active:
                row.is_active = False
                changed_fields.add("is_active")
                to_update.append(row)
                self.report.deactivated.append((key, row.name))
                if len(key) == 5 and f"{key}000" in entries:
                    self.report.warnings.append(
                        f"{key} {row.name}: im Verzeichnis eine kreisfreie Stadt, geführt als "
                        f"{key}000; der Datensatz {key} wurde deaktiviert."
                    )

        if to_update:
            for row in to_update:
                row.updated = self.now
            _save_changes(to_update, sorted(changed_fields) + ["updated"])
        self._tick(total, total)

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
        base = german_slug(entry.name) or entry.key
        candidates = [base]
        if entry.kreis_name:
            candidates.append(f"{base}-{german_slug(entry.kreis_name)}")
        candidates.append(f"{base}-{entry.key}")
        for candidate in candidates:
            candidate = candidate[:200].strip("-")
            if candidate not in self.slugs:
                self.slugs.add(candidate)
                return candidate
        raise RegisterError(
            f"keine freie Kurzadresse für {entry.key} {entry.name}", line=entry.line
        )

    def _tick(self, done: int, total: int):
        if self.progress:
            self.progress("Speichern", done, total)


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


def _display(name: str, value) -> object:
    if isinstance(value, Municipality):
        return value.key
    if name == "is_active":
        return "ja" if value else "nein"
    return value


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})  # fmt: skip


def german_slug(text: str) -> str:
    """ "Münster" → "muenster": German transliteration first, then Django's slugify."""
    return slugify(text.translate(_GERMAN))
