"""Step 1: the register file, line by line, into checked `Record`s.

GV100AD has one fixed-width record of 220 characters per line (UTF-8 since the Sorbian names
arrived), described in Destatis' "Datensatzbeschreibung GV100AD". Every field of every line is
checked, so a bad file is refused with the line and the field to look at, before anything is
written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.text import CONTROL_CHARACTERS

RECORD_LENGTH = 220
NAME_WIDTH = 50

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

# To name the field of a byte that is not UTF-8.
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


@dataclass(frozen=True, slots=True)
class Record:
    """One line of the register, every field checked."""

    line: int
    record_type: str
    territory_date: date
    key: str  # 2 (Land), 3 (Reg.-Bez.), 4 (Region), 5 (Kreis/Verband) or 8 (Gemeinde) digits
    association: str  # Gemeindeverband, 4 digits; "" for records above it
    official_name: str
    text_code: str
    area_ha: int | None = None
    population: int | None = None
    postcode: str = ""


def read_register(path: str | Path, *, progress: Progress | None = None) -> list[Record]:
    """All records of a register file; `RegisterError` on the first bad line."""
    path = Path(path)
    total = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(4).startswith(b"PK\x03\x04"):
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
    first: Record | None = None
    for number, raw in enumerate(lines, start=1):
        line = _text(raw, number)
        if not line:
            continue  # a blank line, e.g. at the end of the file
        record = _parse_first_record(line) if number == 1 else _parse_record(line, number)
        first = first or record
        _check_same_edition(record, first)
        yield record


def _text(raw: bytes | str, number: int) -> str:
    line = _decode(raw, number) if isinstance(raw, bytes) else raw
    if number == 1:
        line = line.removeprefix("\ufeff")
    return line.rstrip("\r\n")


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


def _parse_first_record(line: str) -> Record:
    """As `_parse_record`; an error here most likely means another kind of file."""
    try:
        return _parse_record(line, 1)
    except RegisterError as error:
        raise RegisterError(
            f"{error.message} – ist das eine GV100AD-Datei (Festformat, "
            f"{RECORD_LENGTH} Zeichen je Satz, UTF-8)?",
            line=error.line,
            field=error.field,
        ) from None


def _check_same_edition(record: Record, first: Record):
    if record.territory_date != first.territory_date:
        raise RegisterError(
            f"{record.territory_date:%d.%m.%Y} weicht von {first.territory_date:%d.%m.%Y} "
            f"(Zeile {first.line}) ab; sind zwei Ausgaben vermischt?",
            line=record.line,
            field=TERRITORY_DATE.label,
        )


def _parse_record(line: str, number: int) -> Record:
    # The checks run in this order: the first failing one names the field to look at.
    record_type = _record_type(line, number)
    territory_date = _territory_date(line, number)
    key, association = _regional_key(line, number, record_type)
    official_name = _official_name(line, number)
    text_code = _text_code(line, number, record_type)
    figures = _gemeinde_figures(line, number) if record_type == "60" else {}
    return Record(
        line=number,
        record_type=record_type,
        territory_date=territory_date,
        key=key,
        association=association,
        official_name=official_name,
        text_code=text_code,
        **figures,
    )


def _invalid(column: Column, number: int, message: str) -> RegisterError:
    return RegisterError(message, line=number, field=column.label)


def _record_type(line: str, number: int) -> str:
    """The record type, checked before the length so that another kind of file fails here."""
    record_type = RECORD_TYPE.cut(line)
    if record_type not in RECORD_TYPES:
        raise _invalid(
            RECORD_TYPE,
            number,
            f"unbekannte Satzart {record_type!r} (erwartet 10, 20, 30, 40, 50, 60)",
        )
    if len(line) != RECORD_LENGTH:
        raise RegisterError(
            f"{len(line)} Zeichen statt {RECORD_LENGTH}; ist die Zeile abgeschnitten oder "
            "verrutscht?",
            line=number,
            field="Satzlänge",
        )
    return record_type


def _territory_date(line: str, number: int) -> date:
    raw = TERRITORY_DATE.cut(line)
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise _invalid(TERRITORY_DATE, number, f"{raw!r} ist kein Datum JJJJMMTT") from None


def _regional_key(line: str, number: int, record_type: str) -> tuple[str, str]:
    """The regional key without the Gemeindeverband, and the Gemeindeverband ("" above it)."""
    digits, blanks = _KEY_LAYOUT[record_type]
    for column in digits:
        value = column.cut(line)
        if not _is_digits(value):
            raise _invalid(column, number, f"{value!r} sind keine Ziffern (Satzart {record_type})")
    for column in blanks:
        _check_blank(line, number, column, record_type)
    key = "".join(c.cut(line) for c in digits if c is not VERBAND)
    association = VERBAND.cut(line) if VERBAND in digits else ""
    return key, association


def _check_blank(line: str, number: int, column: Column, record_type: str):
    value = column.cut(line)
    if value.strip():
        raise _invalid(
            column, number, f"muss bei Satzart {record_type} leer sein, enthält {value!r}"
        )


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _official_name(line: str, number: int) -> str:
    official_name = NAME.cut(line).rstrip()
    if not official_name:
        raise _invalid(NAME, number, "leer")
    control = CONTROL_CHARACTERS.search(official_name)
    if control:
        raise _invalid(NAME, number, f"enthält das Steuerzeichen 0x{ord(control.group()):02X}")
    return official_name


def _text_code(line: str, number: int, record_type: str) -> str:
    text_code = TEXT_CODE.cut(line)
    codes = TEXT_CODES.get(record_type)
    if codes is None:
        _check_blank(line, number, TEXT_CODE, record_type)
    elif text_code not in codes:
        raise _invalid(
            TEXT_CODE,
            number,
            f"unbekannter Wert {text_code!r} für Satzart {record_type} "
            f"(erwartet {', '.join(sorted(codes))})",
        )
    return text_code.strip()


def _gemeinde_figures(line: str, number: int) -> dict:
    """Area, population and postcode, which only Gemeinde records carry."""
    area_ha = _number(line, number, AREA)
    population = _number(line, number, POPULATION)
    _number(line, number, POPULATION_MALE)  # checked like every field, not kept
    postcode = POSTCODE.cut(line).strip()
    if postcode and not (_is_digits(postcode) and len(postcode) == 5):
        raise _invalid(POSTCODE, number, f"{postcode!r} ist keine fünfstellige Postleitzahl")
    return {"area_ha": area_ha, "population": population, "postcode": postcode}


def _number(line: str, number: int, column: Column) -> int:
    value = column.cut(line)
    if not _is_digits(value):
        raise _invalid(column, number, f"{value!r} ist keine Zahl ({len(value)} Ziffern erwartet)")
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
