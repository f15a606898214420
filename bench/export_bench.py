"""Times the CSV and XLSX exports and measures their memory on a large synthetic list.

    .venv/bin/python -m bench.export_bench [--rows 100000]

Creates ``<database>_exportbench`` next to the configured database (never touches the real
one), fills it with ``--rows`` published programmes (topics, target groups, a deadline each),
then exports 1 % of them and all of them, each in a fresh process, and reports the time, the
size and how far the peak resident memory rose during the export. Flat means the large export
needs about as much memory as the small one. Writes ``bench/results/export.json``.
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
    parser.add_argument("--measure", nargs=2, metavar=("FORMAT", "TOPIC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup_django()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
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
        for extension in ("csv", "xlsx"):
            for topic, rows in (("klein", small), ("alle", args.rows)):
                child = subprocess.run(
                    [sys.executable, "-m", "bench.export_bench", "--measure", extension, topic],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(child.stdout.strip().splitlines()[-1])
                results.append({"scenario": f"{extension} {rows} rows", "rows": rows, **result})
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    print(f"{'scenario':<20}  {'time':>8}  {'size':>10}  {'memory rise':>12}  {'peak':>8}")
    for r in results:
        print(
            f"{r['scenario']:<20}  {r['seconds']:>7.2f}s  {r['bytes'] / 1e6:>8.1f}MB  "
            f"{r['rss_rise_mb']:>10.1f}MB  {r['peak_rss_mb']:>6.0f}MB"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2))
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


if __name__ == "__main__":
    main()
