"""Times the CSV and XLSX exports and measures their memory on a large synthetic list.

    .venv/bin/python -m bench.export_bench [--rows 100000]

Creates ``<database>_exportbench`` next to the configured database (never touches the real
one), fills it with ``--rows`` published programmes (topics, target groups, a deadline each),
then exports 1 % of them and all of them live (the row limit lifted for the measurement), and
builds each full dump, each in a fresh process, and reports the time, the size and how far the
peak resident memory rose. Flat means the large export needs about as much memory as the small
one. Then eight parallel full XLSX requests against the production server while visitors
browse (bench/export_load.py; ``--no-server`` skips it). Writes ``bench/results/export.json``.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "export.json"
BATCH = 5000


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-server", action="store_true", help="no parallel XLSX run")
    parser.add_argument("--measure", nargs=2, metavar=("FORMAT", "TOPIC"), help=argparse.SUPPRESS)
    parser.add_argument("--measure-dump", metavar="KIND", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup_django()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    if args.measure_dump:
        print(json.dumps(measure_dump(args.measure_dump)))
        return

    from django.conf import settings
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_exportbench"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        fill(args.rows)
        print(f"{args.rows} programmes created in {time.perf_counter() - started:.1f} s")
        url = urlsplit(settings.DATABASE_URL)
        env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path=f"/{name}"))}
        small = max(args.rows // 100, 1)
        results = []

        def child(*options: str) -> dict:
            done = subprocess.run(
                [sys.executable, "-m", "bench.export_bench", *options],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return json.loads(done.stdout.strip().splitlines()[-1])

        for extension in ("csv", "xlsx"):
            for topic, rows in (("klein", small), ("alle", args.rows)):
                result = child("--measure", extension, topic)
                results.append({"scenario": f"{extension} {rows} rows", "rows": rows, **result})
        for kind in ("csv", "xlsx", "json"):
            result = child("--measure-dump", kind)
            results.append({"scenario": f"dump {kind}", "rows": args.rows, **result})
        parallel = None
        if not args.no_server:
            from bench import export_load

            parallel = export_load.measure(env["DATABASE_URL"], args.rows)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    print(f"{'scenario':<20}  {'time':>8}  {'size':>10}  {'memory rise':>12}  {'peak':>8}")
    for r in results:
        print(
            f"{r['scenario']:<20}  {r['seconds']:>7.2f}s  {r['bytes'] / 1e6:>8.1f}MB  "
            f"{r['rss_rise_mb']:>10.1f}MB  {r['peak_rss_mb']:>6.0f}MB"
        )
    if parallel:
        from bench import export_load

        export_load.report(parallel)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {"cpus": os.cpu_count(), "results": results, "parallel_xlsx": parallel}
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")


def fill(count: int) -> None:
    from django.utils import timezone

    from programmes.models import ApplicationWindow, Programme, TargetGroup, Topic

    alle = Topic.objects.create(name="Alle", slug="alle")
    klein = Topic.objects.create(name="Klein", slug="klein")
    group = TargetGroup.objects.create(name="Vereine und Initiativen", slug="vereine")
    deadline = timezone.localdate() + timedelta(days=30)
    small = max(count // 100, 1)
    for start in range(0, count, BATCH):
        programmes = Programme.objects.bulk_create(
            Programme(
                title=f"Synthetisches Förderprogramm Nr. {n} für Straßen und Grünflächen",
                slug=f"synthetisch-{n}",
                summary="Zuschüsse für Kommunen, Vereine und Initiativen in NRW; " * 4,
                kind=Programme.Kind.FOERDERPROGRAMM,
                level="land",
                publication=Programme.Publication.PUBLISHED,
                is_synthetic=True,
            )
            for n in range(start, min(start + BATCH, count))
        )
        topics = Programme.topics.through
        topics.objects.bulk_create(topics(programme=p, topic=alle) for p in programmes)
        topics.objects.bulk_create(
            topics(programme=p, topic=klein)
            for offset, p in enumerate(programmes)
            if start + offset < small
        )
        groups = Programme.target_groups.through
        groups.objects.bulk_create(groups(programme=p, targetgroup=group) for p in programmes)
        ApplicationWindow.objects.bulk_create(
            ApplicationWindow(programme=p, closes=deadline) for p in programmes
        )


def measure(extension: str, topic: str) -> dict:
    """One export in this process: time, size and the rise of the peak resident memory."""
    from django.conf import settings
    from django.test import Client

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.EXPORT_MAX_ROWS = 10**9  # what a live export of every row would cost
    client = Client()
    for _ in client.get(f"/programme/export.{extension}?topic=klein").streaming_content:
        pass  # warm up: imports, translations, URL resolvers
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    size = 0
    for chunk in client.get(f"/programme/export.{extension}?topic={topic}").streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": round(seconds, 3),
        "bytes": size,
        "rss_rise_mb": (after - before) / 1024,
        "peak_rss_mb": after / 1024,
    }


def measure_dump(kind: str) -> dict:
    """One full dump built in this process (as ``manage.py build_dumps`` does)."""
    import tempfile

    from django.conf import settings

    from opendata import dumps

    with tempfile.TemporaryDirectory(prefix="kk-bench-dump-") as folder:
        settings.EXPORT_DUMP_DIR = folder
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        path = dumps.build(dumps.KINDS[kind])
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = path.stat().st_size
    return {
        "seconds": round(seconds, 3),
        "bytes": size,
        "rss_rise_mb": (after - before) / 1024,
        "peak_rss_mb": after / 1024,
    }


if __name__ == "__main__":
    main()
