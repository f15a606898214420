"""Web benchmark: the production server on loopback against 100,000 programmes and every German
municipality, each public page side by side with the framework's floor.

    .venv/bin/python -m bench web [--quick] [--rebuild] [--redis] [--duration 20]

1. A dedicated database ``<database>_webbench`` next to the configured one: migrations, the
   fixtures, the register of all of Germany and the NRW outlines when ../shared/data has them,
   ``generate_catalogue --programmes 100000``, VACUUM ANALYZE. It is kept for the next run
   (``--rebuild`` makes it anew; it is rebuilt by itself when it is not complete).
2. Queries per request, counted in this process with the test client: steady state (the
   catalogue index and counts built) and cold (the first request after a change).
3. gunicorn with portal/gunicorn_config.py (workers for the cores, DEBUG off, a generated
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=0, JSON request logs) on a free
   loopback port, with ``BENCH_FLOOR=1`` for /_bench/floor; ``--redis`` adds REDIS_URL.
4. For each page: 200 sequential requests with a cache-busting no-op parameter (server time
   from the request log, p50/p95/p99), then wrk at concurrency 16 for 20 s: every page with
   warm caches, and without the page cache (busting) for the lists. Errors, bytes, requests
   per second as a share of the floor's, and the workers' resident memory afterwards.

Prints a table and writes ``bench/results/web.json``. About eight minutes; ``--quick`` about
three (fewer requests, 5 s of wrk). This module runs the steps and reports; the database is
bench/web_database.py, the pages and their queries bench/web_pages.py, the server and its
measurements bench/web_measure.py.
"""

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import search_ranking
from bench.web_database import build_database, database_url
from bench.web_measure import CONNECTIONS, sequential, start_server, worker_rss_mb, wrk
from bench.web_pages import Scenario, count_queries, scenarios

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "web.json"


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 requests, 5 s of wrk")
    parser.add_argument("--rebuild", action="store_true", help="build the database anew")
    parser.add_argument("--redis", action="store_true", help="Redis as the shared cache")
    parser.add_argument("--duration", type=int, help="seconds of wrk per run (default 20)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        parser.error("wrk is missing: apt-get install wrk")
    requests = 50 if args.quick else 200
    seconds = args.duration or (5 if args.quick else 20)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    name = f"{settings.DATABASES['default']['NAME']}_webbench"
    started = time.perf_counter()
    load_before = os.getloadavg()  # other work on the machine skews every figure
    database = build_database(name, args.rebuild)
    url = database_url(name)

    # Everything below reads the benchmark's database.
    from django.db import connections

    connections["default"].close()
    settings.DATABASES["default"]["NAME"] = name
    pages = scenarios()
    count_queries(pages)
    ranking = search_ranking.compare()
    search_ranking.print_comparison(ranking)

    server = start_server(url, args.redis)
    try:
        for page in pages:  # every worker builds its catalogue index, counts and maps once
            wrk(server.url, page, 2, bust=True)
        for page in pages:
            sequential(server, page, requests)
            print(f"  {page.name}: p95 {page.server_ms['p95']} ms")
        for page in pages:
            wrk(server.url, page, 2, bust=False)  # every worker has the page cached
            page.warm = wrk(server.url, page, seconds, bust=False)
            if page.uncached_load:
                page.uncached = wrk(server.url, page, seconds, bust=True)
            print(f"  {page.name}: {page.warm['rps']}/s warm, {page.uncached.get('rps', '–')}/s")
        rss = worker_rss_mb(server)
    finally:
        server.stop()

    report = {
        "cpus": os.cpu_count(),
        "database": database,
        "cache": "redis" if args.redis else "locmem (per worker)",
        "sequential_requests": requests,
        "wrk_seconds": seconds,
        "connections": CONNECTIONS,
        "worker_rss_mb": rss,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "pages": [page_entry(page, floor=pages[0]) for page in pages],
        "ranking_vs_exact": ranking,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return report


def page_entry(page: Scenario, floor: Scenario) -> dict:
    """A page's figures for the report; requests per second also as a share of the floor's."""
    entry = {
        "name": page.name,
        "path": page.path,
        "queries": page.queries,
        "queries_cold": page.queries_cold,
        "cold_ms_in_process": page.cold_ms,
        "bytes": page.bytes,
        "server_ms": page.server_ms,
        "client_ms": page.client_ms,
        "warm": {**page.warm, "share_of_floor": share(page.warm, floor.warm)},
    }
    if page.uncached:
        entry["uncached"] = {**page.uncached, "share_of_floor": share(page.uncached, floor.warm)}
    return entry


def share(figures: dict, floor: dict) -> float | None:
    if not figures or not floor.get("rps"):
        return None
    return round(figures["rps"] / floor["rps"], 3)


def print_table(report: dict) -> None:
    print()
    print(
        f"{report['database']['programmes']:,} programmes, "
        f"{report['database']['municipalities']:,} municipalities; {report['cpus']} CPUs; "
        f"cache {report['cache']}; wrk -c{report['connections']} {report['wrk_seconds']} s"
    )
    head = (
        f"{'page':<24} {'p50':>6} {'p95':>6} {'p99':>6} {'q':>5} {'KB':>6} "
        f"{'warm/s':>8} {'floor':>6} {'p95':>6} {'uncached/s':>10} {'floor':>6} {'err':>4}"
    )
    print(head)
    print("-" * len(head))
    for page in report["pages"]:
        server, warm, uncached = page["server_ms"], page["warm"], page.get("uncached", {})
        queries = f"{page['queries']}/{page['queries_cold']}"
        errors = warm.get("errors", 0) + uncached.get("errors", 0)
        print(
            f"{page['name'][:24]:<24} {server['p50']:>6} {server['p95']:>6} {server['p99']:>6} "
            f"{queries:>5} {page['bytes'] / 1024:>6.0f} {warm['rps']:>8} "
            f"{percent(warm['share_of_floor']):>6} {warm['latency_ms']['p95']:>6} "
            f"{uncached.get('rps', '–'):>10} {percent(uncached.get('share_of_floor')):>6} "
            f"{errors:>4}"
        )
    print(
        "p50/p95/p99: server ms, one client, page cache bypassed; q: queries steady/cold; "
        "floor: share of the floor's warm requests/s; p95 (after floor): ms under load"
    )
    print(f"worker RSS after the run (MB): {report['worker_rss_mb']}")
    load = report["load_average"]
    print(f"load average (1, 5, 15 min) before {load['before']}, after {load['after']}")


def percent(value) -> str:
    return "–" if value is None else f"{value:.0%}"


if __name__ == "__main__":
    main()
