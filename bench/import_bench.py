"""Times the catalogue, register and boundary imports and the maps on a throwaway database.

    .venv/bin/python -m bench.import_bench [--data ../shared/data] [--rounds 3]

Creates ``<database>_bench`` next to the configured database (never touches the real one), runs
each scenario ``--rounds`` times, prints the best and median time and writes them to
``bench/results/import.json``. Needs the official files (see docs/register.md); a scenario whose
file is missing is reported as skipped.

Targets from the issue: all of Germany under 10 s, NRW under 2 s; the curated catalogue
(``manage.py load_catalogue``) under 5 s.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "import.json"
STICHTAG = date(2024, 12, 31)
LAYERS = ("land", "regbez", "kreise", "gemeinden")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    test_name = f"{connection.settings_dict['NAME']}_bench"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        results = run(args.data, args.rounds)
        results += time_commands(args.data, test_name)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)

    width = max(len(r["scenario"]) for r in results)
    print(f"{'scenario':<{width}}  {'best':>8}  {'median':>8}  note")
    for r in results:
        if "skipped" in r:
            print(f"{r['scenario']:<{width}}  {'–':>8}  {'–':>8}  skipped: {r['skipped']}")
        else:
            print(
                f"{r['scenario']:<{width}}  {r['best']:>7.3f}s  {r['median']:>7.3f}s  {r['note']}"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2, ensure_ascii=False)
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


def run(data: Path, rounds: int) -> list[dict]:
    from django.core.cache import cache

    from core.cache import forget_memos
    from municipalities import maps
    from municipalities.boundaries import import_boundaries
    from municipalities.models import Municipality
    from municipalities.register import import_register
    from programmes.management.commands.load_catalogue import load_catalogue

    germany = data / "GV100AD_30112025.txt"
    nrw_only = data / "GV100AD_30112025_NRW_only.txt"
    results = []

    def empty():
        truncate_municipalities()

    def measure(scenario, action, *, before=None, note=""):
        times = []
        for _ in range(rounds):
            if before:
                before()
            start = time.perf_counter()
            outcome = action()
            times.append(time.perf_counter() - start)
        results.append(
            {
                "scenario": scenario,
                "best": round(min(times), 4),
                "median": round(statistics.median(times), 4),
                "rounds": rounds,
                "note": note or summary(outcome),
            }
        )

    def summary(report):
        if hasattr(report, "saved"):  # a CatalogueLoad
            return f"{report.saved['programmes.programme']} programmes, {report.saved.total()} rows"
        if report is None or not hasattr(report, "created"):
            return ""
        return (
            f"{len(report.created)} new, {len(report.updated)} changed, "
            f"{report.unchanged} unchanged"
        )

    def skip(scenario, path):
        results.append({"scenario": scenario, "skipped": f"{path} not found"})

    # The fixtures are in the repository: always timed, on empty catalogue tables.
    measure("catalogue: load_catalogue, empty database", load_catalogue, before=empty_catalogue)
    empty_catalogue()  # the scenarios below start from no rows, as before

    if germany.exists():
        measure(
            "germany: first import",
            lambda: import_register(germany, population_date=STICHTAG),
            before=empty,
        )
        measure(
            "germany: again, unchanged", lambda: import_register(germany, population_date=STICHTAG)
        )
        newer = newer_register(germany)
        try:
            # Every population differs: the worst case of a yearly update.
            measure(
                "germany: newer register, all rows change",
                lambda: import_register(newer, population_date=STICHTAG),
                before=lambda: import_register(germany, population_date=STICHTAG),
            )
        finally:
            newer.unlink()
        measure(
            "nrw from germany file (--land 05)",
            lambda: import_register(germany, land="05", population_date=STICHTAG),
            before=empty,
        )
    else:
        skip("germany", germany)
    if nrw_only.exists():
        measure(
            "nrw: first import",
            lambda: import_register(nrw_only, population_date=STICHTAG),
            before=empty,
        )
        measure(
            "nrw: again, unchanged", lambda: import_register(nrw_only, population_date=STICHTAG)
        )
    else:
        skip("nrw", nrw_only)

    layers = [data / f"nrw_{layer}_vg5000_2021.geojson" for layer in LAYERS]
    if nrw_only.exists() and all(path.exists() for path in layers):
        import_register(nrw_only, population_date=STICHTAG)

        def boundaries():
            Municipality.objects.update(outline=None, latitude=None, longitude=None)
            for path in layers:
                import_boundaries(path)

        measure("boundaries: 4 NRW layers", boundaries, note="455 outlines")
        iserlohn = Municipality.objects.get(key="05962024")
        counts = dict.fromkeys(maps.base_map().kreise, 1)
        measure(
            "maps: 3 maps, cold cache",
            lambda: render_maps(iserlohn, counts),
            before=lambda: (cache.clear(), forget_memos()),
            note="base layers projected and simplified",
        )
        measure(
            "maps: 3 maps, warm cache",
            lambda: render_maps(iserlohn, counts),
            note="one version query per map",
        )
    else:
        skip("boundaries and maps", data / "nrw_*_vg5000_2021.geojson")
    return results


def truncate_municipalities():
    """Empty the table of the throwaway database (rows protect their parents from delete())."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE municipalities_municipality CASCADE")


def empty_catalogue():
    """Empty every table of the catalogue (programmes, their vocabulary, municipalities)."""
    from django.apps import apps
    from django.db import connection

    tables = [
        model._meta.db_table
        for app in ("programmes", "municipalities")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def render_maps(municipality, counts):
    from municipalities import maps

    maps.municipality_map(municipality)
    maps.choropleth_map(counts)
    maps.highlight_map([municipality], title="t", description="d", caption="c")


def newer_register(path: Path) -> Path:
    """A copy of the register with one more inhabitant in every Gemeinde."""
    handle, name = tempfile.mkstemp(suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("60"):
                population = int(line[139:150]) + 1
                line = f"{line[:139]}{population:011d}{line[150:]}"
            out.write(line + "\n")
    return Path(name)


def time_commands(data: Path, database: str) -> list[dict]:
    """The command as a user runs it, on an empty table: interpreter start, Django, import."""
    from django.db import connection

    germany = data / "GV100AD_30112025.txt"
    if not germany.exists():
        return [{"scenario": "command", "skipped": f"{germany} not found"}]
    settings = connection.settings_dict
    if settings.get("PASSWORD"):
        return [{"scenario": "command", "skipped": "database with a password: not timed"}]
    host, port = settings["HOST"], settings["PORT"] or 5432
    url = (
        f"postgresql://{settings['USER']}@/{database}?host={host}"  # a Unix socket directory
        if host.startswith("/")
        else f"postgresql://{settings['USER']}@{host}:{port}/{database}"
    )
    results = []
    for label, extra in (("germany", []), ("nrw, --land 05", ["--land", "05"])):
        truncate_municipalities()
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_gemeindeverzeichnis", str(germany), *extra],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
        elapsed = round(time.perf_counter() - start, 3)
        results.append(
            {
                "scenario": f"command wall clock: {label}",
                "best": elapsed,
                "median": elapsed,
                "rounds": 1,
                "note": "first import, including interpreter and Django start",
            }
        )
    return results


if __name__ == "__main__":
    main()
