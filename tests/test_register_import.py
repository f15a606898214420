"""Import of Destatis' Gemeindeverzeichnis (GV100AD).

The parser and importer run on a hand-written excerpt (tests/data/register_excerpt.txt: real keys
and names, invented figures) every time; the checks against the official file run in addition
when ../shared/data/GV100AD_30112025.txt is present.
"""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.german import slug as german_slug
from municipalities.management.progress import ProgressBar
from municipalities.models import Municipality
from municipalities.register import (
    RegisterError,
    build_entries,
    import_register,
    parse_lines,
    plain_name,
    population_date_from_notes,
    read_register,
)
from municipalities.register import write as register_write
from tests.factories import add_participation, make_municipality, make_nrw_chain, make_programme

pytestmark = pytest.mark.django_db

EXCERPT = Path(__file__).parent / "data" / "register_excerpt.txt"
OFFICIAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "GV100AD_30112025.txt"
STICHTAG = date(2024, 12, 31)

# What each source holds for NRW. The official figures are those the issue states.
SOURCES = {
    "excerpt": {
        "path": EXCERPT, "bezirke": 3, "kreise": 3, "kreisfreie": 1, "gemeinden": 6,
        "inhabitants": 726_000, "iserlohn": 90_000,
    },
    "official": {
        "path": OFFICIAL, "bezirke": 5, "kreise": 31, "kreisfreie": 22, "gemeinden": 396,
        "inhabitants": 18_034_454, "iserlohn": 91_811,
    },
}  # fmt: skip
AVAILABLE = ["excerpt"] + (["official"] if OFFICIAL.exists() else [])


def excerpt_lines() -> list[str]:
    return EXCERPT.read_text(encoding="utf-8").splitlines()


def write(tmp_path, lines, name="GV100AD_30112025.txt", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def put(line: str, start: int, text: str) -> str:
    """Overwrite a fixed-width line from 1-based position `start`."""
    return line[: start - 1] + text + line[start - 1 + len(text) :]


def snapshot():
    return list(
        Municipality.objects.order_by("key").values_list(
            "key", "name", "slug", "kind", "parent__key", "population", "area_km2", "is_active",
            "updated",
        )
    )  # fmt: skip


# --- Parser -----------------------------------------------------------------------------------


def test_parser_reads_every_record_type_of_the_excerpt():
    records = read_register(EXCERPT)

    by_type = {}
    for record in records:
        by_type.setdefault(record.record_type, []).append(record)
    assert {t: len(rs) for t, rs in by_type.items()} == {
        "10": 2, "20": 4, "30": 1, "40": 6, "50": 8, "60": 10,
    }  # fmt: skip
    assert [r.key for r in by_type["30"]] == ["0811"]
    iserlohn = next(r for r in records if r.key == "05962024")
    assert (iserlohn.line, iserlohn.association, iserlohn.official_name, iserlohn.text_code) == (
        15, "0024", "Iserlohn, Stadt", "63",
    )  # fmt: skip
    assert (iserlohn.area_ha, iserlohn.population, iserlohn.postcode) == (12500, 90000, "58636")
    assert iserlohn.territory_date == date(2025, 11, 30)
    verband = next(r for r in records if r.record_type == "50" and r.association == "5001")
    assert (verband.key, verband.text_code) == ("08115", "56")


def test_entries_give_kinds_names_and_parents():
    contents = build_entries(read_register(EXCERPT))
    entries = contents.entries

    def row(key):
        e = entries[key]
        return e.kind, e.name, e.parent_key

    assert row("05") == ("land", "Nordrhein-Westfalen", None)
    assert row("059") == ("regierungsbezirk", "Regierungsbezirk Arnsberg", "05")
    assert row("05962") == ("kreis", "Märkischer Kreis", "059")
    assert row("05966") == ("kreis", "Kreis Olpe", "059")
    assert row("08115") == ("kreis", "Landkreis Böblingen", "081")
    assert row("05334") == ("staedteregion", "Städteregion Aachen", "053")
    assert row("05334002") == ("stadt", "Aachen", "05334")
    assert row("05962024") == ("stadt", "Iserlohn", "05962")
    assert row("05962052") == ("gemeinde", "Schalksmühle", "05962")
    # A kreisfreie Stadt is one row with its Gemeinde key, directly under the Reg.-Bez.
    assert row("05124000") == ("kreisfreie-stadt", "Wuppertal", "051")
    assert "05124" not in entries
    assert row("08111000") == ("kreisfreie-stadt", "Stuttgart", "081")
    assert row("08115003") == ("stadt", "Böblingen", "08115")  # Große Kreisstadt
    assert row("08115998") == ("gemeinde", "Musterau", "08115")  # Markt
    assert row("08115999") == ("gemeindefreies-gebiet", "Musterwald", "08115")
    assert entries["08111000"].official_name == "Stuttgart, Landeshauptstadt"
    # Regions and Gemeindeverbände have no AGS of their own: counted, not stored.
    assert "0811" not in entries
    assert contents.skipped == {"Regionen": 1, "Gemeindeverbände": 8}
    # Above the Gemeinde, population and area are the sums of the Gemeinden.
    assert (entries["05962"].population, entries["05962"].area_km2) == (100_000, Decimal(163))
    assert entries["05"].population == 726_000
    assert contents.lands == ["05", "08"]
    assert contents.warnings == []


def test_gemeindefreies_gebiet_outside_any_kreis_hangs_below_the_land():
    lines = excerpt_lines()[20:]  # Baden-Württemberg only
    lines.append(put(lines[-1], 13, "000999"))  # 08000999, like 07000999 in the real file
    entries = build_entries(parse_lines(lines)).entries
    assert entries["08000999"].parent_key == "08"


@pytest.mark.parametrize(
    ("official", "plain"),
    [
        ("Solingen, Klingenstadt", "Solingen"),
        ("Hagen, Stadt der FernUniversität", "Hagen"),
        ("Sachsenwald (Forstgutsbez.),gemfr.Geb.", "Sachsenwald (Forstgutsbez.)"),
        ("Mülheim an der Ruhr, Stadt", "Mülheim an der Ruhr"),
        ("Simmerath", "Simmerath"),
    ],
)
def test_plain_name_drops_the_title_after_the_comma(official, plain):
    assert plain_name(official) == plain


def test_german_slug_transliterates_umlauts():
    assert german_slug("Münster") == "muenster"
    assert german_slug("Schalksmühle") == "schalksmuehle"
    assert german_slug("Großräschen") == "grossraeschen"


def _mutate(index, start, text):
    def change(lines):
        lines[index] = put(lines[index], start, text)
        return lines

    return change


BAD_FILES = {
    # name: (change the excerpt lines, expected line, expected field, part of the message)
    "truncated line": (
        lambda lines: lines[:8] + [lines[8][:150]] + lines[9:], 9, "Satzlänge", "150 Zeichen",
    ),
    "unknown record type": (_mutate(3, 1, "70"), 4, "Satzart", "unbekannte Satzart '70'"),
    "garbled population": (
        _mutate(14, 140, "0000009x000"), 15, "Bevölkerung insgesamt", "keine Zahl",
    ),
    "garbled key": (_mutate(12, 14, "6?"), 13, "Regionalschlüssel: Kreis", "keine Ziffern"),
    "unknown text code": (_mutate(12, 123, "49"), 13, "Textkennzeichen", "unbekannter Wert '49'"),
    "invalid date": (_mutate(6, 3, "20251340"), 7, "Gebietsstand", "kein Datum"),
    "two editions mixed": (_mutate(6, 3, "20241231"), 7, "Gebietsstand", "zwei Ausgaben"),
    "filled blank field": (_mutate(0, 13, "9"), 1, "Regionalschlüssel: Regierungsbezirk",
                           "muss bei Satzart 10 leer sein"),
    "empty name": (_mutate(13, 23, " " * 50), 14, "Bezeichnung", "leer"),
    "bad postcode": (_mutate(14, 166, "5863X"), 15, "Postleitzahl", "keine fünfstellige"),
    "missing kreis": (lambda lines: lines[:12] + lines[13:], 14, "Regionalschlüssel: Kreis",
                      "Kreis 05962, der in der Datei fehlt"),
    "duplicate gemeinde": (lambda lines: lines + [lines[14]], 32, "Regionalschlüssel",
                           "steht doppelt im Verzeichnis (zuerst in Zeile 15)"),
    "another format": (
        lambda lines: ["AGS;Name;Einwohner", "05962024;Iserlohn;91811"], 1, "Satzart",
        "GV100AD-Datei",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_input_names_line_and_field(tmp_path, case):
    change, line, field, message = BAD_FILES[case]
    path = write(tmp_path, change(excerpt_lines()))

    with pytest.raises(RegisterError) as caught:
        import_register(path, population_date=STICHTAG)

    assert (caught.value.line, caught.value.field) == (line, field)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"Zeile {line}, Feld „{field}“: ")
    assert not Municipality.objects.exists()


def test_latin1_file_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path, excerpt_lines(), encoding="latin-1")

    with pytest.raises(RegisterError) as caught:
        read_register(path)

    # Line 1: "Nordrhein-Westfalen … Düsseldorf" – the first non-ASCII letter is in the seat.
    assert (caught.value.line, caught.value.field) == (1, "Verwaltungssitz")
    assert "kein gültiges UTF-8 (Byte 0xFC an Stelle 74)" in str(caught.value)
    assert "Latin-1" in str(caught.value)


def test_zip_archive_is_refused(tmp_path):
    path = tmp_path / "GV100AD_30112025.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    with pytest.raises(RegisterError, match="ZIP-Archiv. Bitte zuerst entpacken"):
        read_register(path)


def test_bad_file_through_the_command_is_a_command_error(tmp_path):
    path = write(tmp_path, BAD_FILES["garbled population"][0](excerpt_lines()))
    with pytest.raises(CommandError, match=r"Zeile 15, Feld „Bevölkerung insgesamt“"):
        call_command("import_gemeindeverzeichnis", str(path), stdout=io.StringIO())


def test_land_option_is_checked(tmp_path):
    with pytest.raises(RegisterError, match="zweistelligen"):
        import_register(EXCERPT, land="5")
    with pytest.raises(RegisterError, match="keinen Land-Datensatz"):
        import_register(EXCERPT, land="09")


# --- Population reference date ------------------------------------------------------------------


def test_population_date_comes_from_the_notes_next_to_the_file(tmp_path):
    register = write(tmp_path, excerpt_lines(), name="GV100AD_30112025_NRW_only.txt")
    assert population_date_from_notes(register) is None
    (tmp_path / "GV100AD_30112025_Hinweise.txt").write_text(
        "\ufeffDie Bevölkerungsangaben basieren für alle Bundesländer auf dem Stichtag "
        "31.12.2024 (ZENSUS 2022).\n",
        encoding="utf-8",
    )
    assert population_date_from_notes(register) == date(2024, 12, 31)


def test_without_a_population_date_the_import_assumes_one_and_warns():
    report = import_register(EXCERPT)
    assert report.population_date == date(2024, 12, 31)
    assert "Stichtag der Einwohnerzahlen nicht angegeben" in report.warnings[0]
    assert Municipality.objects.get(key="05962024").population_date == date(2024, 12, 31)


# --- Import -------------------------------------------------------------------------------------


def test_import_creates_the_hierarchy_with_figures():
    report = import_register(EXCERPT, population_date=STICHTAG)

    assert len(report.created) == 2 + 4 + 4 + 10
    iserlohn = Municipality.objects.get(key="05962024")
    assert (iserlohn.name, iserlohn.official_name, iserlohn.slug, iserlohn.kind) == (
        "Iserlohn", "Iserlohn, Stadt", "iserlohn", "stadt",
    )  # fmt: skip
    assert (iserlohn.population, iserlohn.population_date) == (90_000, STICHTAG)
    assert (iserlohn.area_km2, iserlohn.postcode) == (Decimal("125.00"), "58636")
    assert [a.name for a in iserlohn.ancestors()] == [
        "Nordrhein-Westfalen", "Regierungsbezirk Arnsberg", "Märkischer Kreis",
    ]  # fmt: skip
    assert Municipality.objects.get(key="05334").slug == "staedteregion-aachen"
    assert Municipality.objects.get(key="05962052").slug == "schalksmuehle"


def test_twins_get_a_slug_with_their_kreis_or_key(tmp_path):
    lines = excerpt_lines()
    twin = put(lines[19], 23, "Iserlohn".ljust(50))  # a second "Iserlohn", in Kreis Olpe
    third = put(put(twin, 16, "021"), 19, "0021")  # and a third one there
    path = write(tmp_path, lines[:19] + [twin, third] + lines[20:])

    import_register(path, population_date=STICHTAG)

    slugs = dict(Municipality.objects.filter(name="Iserlohn").values_list("key", "slug"))
    # The most populous keeps the plain address; the others are told apart by Kreis, then key.
    assert slugs == {
        "05962024": "iserlohn", "05966020": "iserlohn-olpe", "05966021": "iserlohn-05966021",
    }  # fmt: skip


def test_second_run_changes_nothing_and_writes_nothing():
    import_register(EXCERPT, population_date=STICHTAG)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = import_register(EXCERPT, population_date=STICHTAG)

    assert not report.changed_anything
    assert report.unchanged == 20
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []
    assert snapshot() == before


def test_newer_register_updates_and_reports_each_change(tmp_path):
    import_register(EXCERPT, population_date=STICHTAG)
    lines = excerpt_lines()
    lines[14] = put(put(lines[14], 140, "00000091811"), 129, "00000012549")  # Iserlohn
    lines[19] = put(lines[19], 23, "Kirchhundem, Stadt".ljust(50))
    path = write(tmp_path, lines)

    report = import_register(path, population_date=date(2025, 12, 31))

    changes = {c.key: c for c in report.updated}
    assert str(changes["05962024"]) == (
        "05962024 Iserlohn: Einwohnerzahl: 90000 → 91811; Stichtag Einwohnerzahl: 31.12.2024 → "
        "31.12.2025; Fläche (km²): 125.00 → 125.49"
    )
    assert "amtliche Bezeichnung: Kirchhundem → Kirchhundem, Stadt" in str(changes["05966020"])
    iserlohn = Municipality.objects.get(key="05962024")
    assert (iserlohn.population, iserlohn.area_km2) == (91_811, Decimal("125.49"))
    # Every row got the new reference date; the sums above Iserlohn changed with it.
    assert len(report.updated) == 20
    assert Municipality.objects.get(key="05").population == 726_000 + 1_811


def test_curated_rows_merge_by_key_and_keep_their_slug():
    chain = make_nrw_chain()
    chain["iserlohn"].slug = "iserlohn-sauerland"
    chain["iserlohn"].website = "https://www.iserlohn.de/"
    chain["iserlohn"].save()
    ids = {m.key: m.pk for m in Municipality.objects.all()}

    report = import_register(EXCERPT, population_date=STICHTAG)

    assert Municipality.objects.filter(key="05962024").count() == 1
    iserlohn = Municipality.objects.get(key="05962024")
    assert (iserlohn.pk, iserlohn.slug, iserlohn.website) == (
        ids["05962024"], "iserlohn-sauerland", "https://www.iserlohn.de/",
    )  # fmt: skip
    assert (iserlohn.official_name, iserlohn.population) == ("Iserlohn, Stadt", 90_000)
    assert {m.key: m.pk for m in Municipality.objects.filter(key__in=ids)} == ids
    assert {key for key, _ in report.created}.isdisjoint(ids)
    assert "05962024" in {c.key for c in report.updated}


def test_missing_municipality_is_deactivated_not_deleted_and_keeps_participations():
    import_register(EXCERPT, population_date=STICHTAG)
    kreis = Municipality.objects.get(key="05962")
    merged = make_municipality("Altgemeinde", "05962099", kreis)
    elsewhere = make_municipality("Bayern", "09")
    participation = add_participation(make_programme("Dorferneuerung"), merged)

    report = import_register(EXCERPT, population_date=STICHTAG)

    assert report.deactivated == [("05962099", "Altgemeinde")]
    merged.refresh_from_db()
    assert merged.is_active is False
    assert merged.participations.get() == participation
    elsewhere.refresh_from_db()
    assert elsewhere.is_active is True  # Land 09 is not in the file: out of scope

    output = io.StringIO()
    call_command("import_gemeindeverzeichnis", str(EXCERPT), stdout=output)
    assert ", 0 deaktiviert," in output.getvalue()


def test_reappearing_municipality_is_reactivated():
    import_register(EXCERPT, population_date=STICHTAG)
    Municipality.objects.filter(key="05962052").update(is_active=False)

    report = import_register(EXCERPT, population_date=STICHTAG)

    assert [str(c) for c in report.updated] == ["05962052 Schalksmühle: aktiv: nein → ja"]


def test_land_option_limits_the_import_and_the_scope():
    import_register(EXCERPT, land="05", population_date=STICHTAG)
    assert not Municipality.objects.filter(key__startswith="08").exists()
    assert Municipality.objects.filter(key__startswith="05").count() == 13

    report = import_register(EXCERPT, population_date=STICHTAG)  # then all Länder of the file
    assert len(report.created) == 7 and report.unchanged == 13


def test_dry_run_reports_but_saves_nothing():
    report = import_register(EXCERPT, population_date=STICHTAG, dry_run=True)
    assert len(report.created) == 20 and report.dry_run
    assert not Municipality.objects.exists()


def test_failed_write_rolls_back_everything(monkeypatch):
    import_register(EXCERPT, land="05", population_date=STICHTAG)
    before = snapshot()
    real_save = register_write._save_changes

    def save_then_fail(*args):
        real_save(*args)
        raise RuntimeError("connection lost")

    # The run creates the rows of Land 08, updates those of Land 05, then fails.
    monkeypatch.setattr(register_write, "_save_changes", save_then_fail)
    with pytest.raises(RuntimeError):
        import_register(EXCERPT, population_date=date(2025, 12, 31))

    assert snapshot() == before
    assert not Municipality.objects.filter(key__startswith="08").exists()


def test_command_prints_changes_and_summary(tmp_path):
    out = io.StringIO()
    call_command(
        "import_gemeindeverzeichnis", str(EXCERPT), "--land", "05",
        "--population-date", "2024-12-31", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    text = out.getvalue()
    assert "Gebietsstand 30.11.2025, Einwohner zum 31.12.2024, Land 05" in text
    assert "Zur Information: 6 Gemeindeverbände gelesen" in text
    assert "13 neu, 0 geändert, 0 unverändert, 0 deaktiviert, 0 Warnungen" in text

    errors = io.StringIO()
    call_command("import_gemeindeverzeichnis", str(EXCERPT), "--dry-run", "--population-date",
                 "2024-12-31", stdout=io.StringIO(), stderr=errors)  # fmt: skip
    assert "Ohne --land wird jedes Land der Datei importiert" in errors.getvalue()

    out = io.StringIO()
    call_command("import_gemeindeverzeichnis", str(EXCERPT), "--land", "05", "--dry-run",
                 "--population-date", "2025-12-31", stdout=out)  # fmt: skip
    assert "geändert: 05962024 Iserlohn: Stichtag Einwohnerzahl: 31.12.2024 → 31.12.2025" in (
        out.getvalue()
    )
    assert "Probelauf, nichts gespeichert: 0 neu, 13 geändert" in out.getvalue()
    assert Municipality.objects.get(key="05962024").population_date == STICHTAG


# --- The same checks on the excerpt and, when present, the official file ------------------------


@pytest.fixture(params=AVAILABLE)
def source(request):
    return SOURCES[request.param]


def test_nrw_counts_and_inhabitants(source):
    import_register(source["path"], land="05", population_date=STICHTAG)

    nrw = Municipality.objects.filter(key__startswith="05")
    assert nrw.filter(kind="regierungsbezirk").count() == source["bezirke"]
    kreise = nrw.filter(kind__in=["kreis", "staedteregion"]).count()
    kreisfreie = nrw.filter(kind="kreisfreie-stadt").count()
    assert (kreise, kreisfreie) == (source["kreise"], source["kreisfreie"])
    gemeinden = nrw.filter(key__regex=r"^\d{8}$")
    assert gemeinden.count() == source["gemeinden"]
    assert sum(gemeinden.values_list("population", flat=True)) == source["inhabitants"]
    assert Municipality.objects.get(key="05").population == source["inhabitants"]
    assert set(gemeinden.values_list("population_date", flat=True)) == {STICHTAG}


def test_parent_chain_iserlohn_to_nrw(source):
    import_register(source["path"], land="05", population_date=STICHTAG)

    chain, row = [], Municipality.objects.get(key="05962024")
    while row:
        chain.append((row.key, row.name, row.kind))
        row = row.parent
    assert chain == [
        ("05962024", "Iserlohn", "stadt"),
        ("05962", "Märkischer Kreis", "kreis"),
        ("059", "Regierungsbezirk Arnsberg", "regierungsbezirk"),
        ("05", "Nordrhein-Westfalen", "land"),
    ]
    assert Municipality.objects.get(key="05962024").population == source["iserlohn"]
    wuppertal = Municipality.objects.get(key="05124000")
    assert (wuppertal.kind, wuppertal.parent.key) == ("kreisfreie-stadt", "051")
    assert not Municipality.objects.filter(key="05124").exists()
    aachen = Municipality.objects.get(key="05334002")
    assert (aachen.kind, aachen.parent.kind) == ("stadt", "staedteregion")


def test_idempotent_on_each_source(source):
    import_register(source["path"], population_date=STICHTAG)
    before = snapshot()

    report = import_register(source["path"], population_date=STICHTAG)

    assert not report.changed_anything and report.unchanged == len(before)
    assert snapshot() == before


def test_bad_line_rolls_back_on_each_source(source, tmp_path):
    import_register(source["path"], land="05", population_date=STICHTAG)
    before = snapshot()
    lines = source["path"].read_text(encoding="utf-8").splitlines()
    last_gemeinde = max(i for i, line in enumerate(lines) if line.startswith("6020251130059"))
    lines[last_gemeinde] = lines[last_gemeinde][:100]
    # and a change earlier in the file that would otherwise have been written
    lines = [put(line, 140, "00000000001") if line.startswith("60") else line for line in lines]

    with pytest.raises(RegisterError) as caught:
        import_register(write(tmp_path, lines), land="05", population_date=STICHTAG)

    assert (caught.value.line, caught.value.field) == (last_gemeinde + 1, "Satzlänge")
    assert snapshot() == before


def test_official_germany_import_when_present():
    """All of Germany, when the official file is there; otherwise the excerpt's two Länder."""
    path = OFFICIAL if OFFICIAL.exists() else EXCERPT
    report = import_register(path, population_date=STICHTAG)

    lands = Municipality.objects.filter(kind="land").count()
    gemeinden = Municipality.objects.filter(key__regex=r"^\d{8}$").count()
    if path is OFFICIAL:
        assert (lands, gemeinden) == (16, 10_953)
        assert report.skipped == {"Regionen": 12, "Gemeindeverbände": 4590}
        # Twins across Germany get distinct addresses; NRW's Münster keeps the plain one.
        assert Municipality.objects.get(slug="muenster").key == "05515000"
        assert Municipality.objects.filter(name="Neuenkirchen").count() == 11
    else:
        assert (lands, gemeinden) == (2, 10)  # the excerpt's ten Gemeinde records
    assert not Municipality.objects.filter(is_active=False).exists()


def test_progress_reaches_100_percent_and_the_bar_draws_only_on_a_terminal():
    calls = []
    import_register(EXCERPT, population_date=STICHTAG, progress=lambda *a: calls.append(a))
    assert {stage for stage, _, _ in calls} == {"Datei lesen", "Speichern"}
    assert calls[-1] == ("Speichern", 20, 20)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(OutputWrapper(stream))
        bar("Speichern", 5, 20)
        bar("Speichern", 20, 20)
        bar.finish()
    assert terminal.getvalue().endswith("\rSpeichern      [" + "#" * 30 + "] 100 %\n")
    assert pipe.getvalue() == ""
