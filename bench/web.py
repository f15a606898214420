"""Web benchmark: the production server on loopback against 100,000 programmes and every German
municipality, each public page side by side with the framework's floor.

    .venv/bin/python -m bench web [--quick] [--rebuild] [--redis] [--duration 20]

1. A dedicated database ``<database>_webbench`` next to the configured one: migrations, the
   fixtures, the register of all of Germany and the NRW outlines when ../shared/data has them,
   ``generate_catalogue --programmes 100000``, VACUUM ANALYZE. It is kept for the next run
   (``--rebuild`` makes it anew; it is rebuilt by itself when it is not complete).
2. Queries per request, counted in this process with the test client: steady state (the
   catalogue index and counts built) and cold (the first request after a change).
3. gunicorn with portal/gunicorn.conf.py (workers for the cores, DEBUG off, a generated
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=0, JSON request logs) on a free
   loopback port, with ``BENCH_FLOOR=1`` for /_bench/floor; ``--redis`` adds REDIS_URL.
4. For each page: 200 sequential requests with a cache-busting no-op parameter (server time
   from the request log, p50/p95/p99), then wrk at concurrency 16 for 20 s: every page with
   warm caches, and without the page cache (busting) for the lists. Errors, bytes, requests
   per second as a share of the floor's, and the workers' resident memory afterwards.

Prints a table and writes ``bench/results/web.json``. About eight minutes; ``--quick`` about
three (fewer requests, 5 s of wrk).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "web.json"
DATA = ROOT.parent / "shared" / "data"
PROGRAMMES = 100_000
CONNECTIONS = 16
SEARCH = "q=Digitalisierung&topic=stadtentwicklung&level=land"


@dataclass
class Scenario:
    name: str
    path: str
    uncached_load: bool = False  # also a wrk run with the page cache busted
    rotate: list[str] = field(default_factory=list)  # search terms, one per request
    streamed: bool = False  # timed by the client: the log sees only the first byte
    # filled in by the run
    queries: int | None = None
    queries_cold: int | None = None
    cold_ms: float | None = None
    server_ms: dict = field(default_factory=dict)
    client_ms: dict = field(default_factory=dict)
    bytes: int = 0
    warm: dict = field(default_factory=dict)
    uncached: dict = field(default_factory=dict)

    def url(self, n: int) -> str:
        path = self.path
        if self.rotate:
            path = path.replace("{q}", quote(self.rotate[n % len(self.rotate)]))
        separator = "&" if "?" in path else "?"
        return f"{path}{separator}bench={n}"


# --- The database ---------------------------------------------------------------------------


def database_url(name: str) -> str:
    from django.conf import settings

    url = urlsplit(settings.DATABASE_URL)
    return urlunsplit(url._replace(path=f"/{name}"))


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench",
           "ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def build_database(name: str, rebuild: bool) -> dict:
    """Create (or reuse) the benchmark's database; returns what it holds and how long it took."""
    import psycopg
    from django.conf import settings

    server = settings.DATABASES["default"]
    admin = psycopg.connect(
        dbname="postgres", user=server["USER"], password=server["PASSWORD"] or None,
        host=server["HOST"] or None, port=server["PORT"] or None, autocommit=True,
    )  # fmt: skip
    url = database_url(name)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not rebuild:
        state = _state(url)
        if state and state["synthetic"] >= PROGRAMMES:
            admin.close()
            manage(url, "migrate", "--noinput", "-v0")  # the code may have moved on
            return {**state, "reused": True}
    if exists:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()

    steps = {}

    def step(label, *args):
        started = time.perf_counter()
        output = manage(url, *args)
        steps[label] = round(time.perf_counter() - started, 1)
        print(f"  {label}: {steps[label]} s  {output.splitlines()[-1] if output else ''}")

    print(f"Building {name} …")
    step("migrate", "migrate", "--noinput", "-v0")
    step("fixtures", "load_catalogue")
    register = DATA / "GV100AD_30112025.txt"
    if register.exists():
        step("register (Germany)", "import_gemeindeverzeichnis", str(register))
        for layer in ("land", "regbez", "kreise", "gemeinden"):
            outlines = DATA / f"nrw_{layer}_vg5000_2021.geojson"
            if outlines.exists():
                step(f"outlines {layer}", "import_boundaries", str(outlines))
    step("generate 100,000", "generate_catalogue", "--programmes", str(PROGRAMMES))
    with psycopg.connect(url, autocommit=True) as connection:
        started = time.perf_counter()
        connection.execute("VACUUM ANALYZE")  # visibility map for index-only scans, statistics
        steps["vacuum analyze"] = round(time.perf_counter() - started, 1)
    return {**_state(url), "reused": False, "steps_s": steps}


def _state(url: str) -> dict | None:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            programmes, synthetic = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE is_synthetic) FROM programmes_programme"
            ).fetchone()
            (municipalities,) = connection.execute(
                "SELECT count(*) FROM municipalities_municipality"
            ).fetchone()
    except psycopg.Error:
        return None
    return {"programmes": programmes, "synthetic": synthetic, "municipalities": municipalities}


# --- The pages ------------------------------------------------------------------------------


def scenarios() -> list[Scenario]:
    """The pages to measure, found in the benchmark's database."""
    from django.db.models import Count

    from municipalities.models import Municipality
    from programmes.models import Programme
    from programmes.synthetic import Vocabulary

    busiest = (
        Programme.objects.filter(publication="published", is_synthetic=True)
        .annotate(places=Count("participations"))
        .order_by("-places", "pk")
        .first()
    )
    kreis = (
        Municipality.objects.filter(kind=Municipality.Kind.KREIS)
        .annotate(gemeinden=Count("children"))
        .order_by("-gemeinden", "key")
        .first()
    )
    deep = 3000
    terms = sorted(set(Vocabulary.load().nouns))
    return [
        Scenario("floor", "/_bench/floor", uncached_load=True),
        Scenario("home", "/"),
        Scenario("list", "/programme/", uncached_load=True),
        Scenario("search + 2 filters", f"/programme/?{SEARCH}", uncached_load=True),
        Scenario(
            "search, new each time",
            "/programme/?q={q}&topic=stadtentwicklung&level=land",
            uncached_load=True,
            rotate=terms,
        ),
        Scenario("deep page", f"/programme/?page={deep}"),
        Scenario("programme", busiest.get_absolute_url()),
        Scenario(f"Kreis ({kreis.gemeinden} Gem.)", kreis.get_absolute_url()),
        Scenario("municipalities", "/kommunen/"),
        Scenario("API list", "/api/v1/programmes/"),
        Scenario("CSV export", f"/programme/export.csv?{SEARCH}", streamed=True),
    ]


def count_queries(pages: list[Scenario]) -> None:
    """Queries per request in this process (test client, DEBUG off): after a change of the
    catalogue (cold) and in the steady state (index and counts built)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.cache import forget_memos

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.BENCH_FLOOR = True
    client = Client()
    for page in pages:
        if page.name == "floor":
            page.queries = page.queries_cold = 0  # not routed in this process; no database
            continue
        client.get(page.url(9_000_000))  # this process's own first-time costs (content types)
        counts = []
        for n in range(2):
            if n == 0:  # as right after a change of the catalogue
                cache.clear()
                forget_memos()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as context:
                response = client.get(page.url(10_000_000 + n))
                if response.streaming:
                    b"".join(response.streaming_content)
            if n == 0:
                page.cold_ms = round((time.perf_counter() - started) * 1000, 1)
            assert response.status_code == 200, (page.path, response.status_code)
            counts.append(len(context.captured_queries))
        page.queries_cold, page.queries = counts


# --- The server -----------------------------------------------------------------------------


def start_server(url: str, redis: bool):
    from bench.load_test import Server

    server = Server(workers=None)
    server.env.update(DATABASE_URL=url, BENCH_FLOOR="1", PYTHONUNBUFFERED="1")
    if redis:
        server.env["REDIS_URL"] = "redis://127.0.0.1:6379/9"
        subprocess.run(["redis-cli", "-n", "9", "FLUSHDB"], capture_output=True)
    try:
        server.start()
    except BaseException:
        server.stop()  # a server that never became ready must not stay behind
        raise
    return server


def log_entries(server, start: int) -> tuple[list[dict], int]:
    text = server.log_path.read_text()
    entries = []
    for line in text[start:].splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "core.request":
                entries.append(entry)
    return entries, len(text)


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(share):
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": at(0.95),
        "p99": at(0.99),
        "n": len(ordered),
    }


def sequential(server, page: Scenario, requests: int) -> None:
    """One client, one request at a time, each address new: no page is served from the page
    cache (the per-version figures and recent searches stay, as between visitors)."""
    _, offset = log_entries(server, 0)
    client_ms = []
    for n in range(requests):
        started = time.perf_counter()
        request = urllib.request.Request(server.url + page.url(n), headers={"Host": "127.0.0.1"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"{page.path}: {response.status}")
        client_ms.append((time.perf_counter() - started) * 1000)
        page.bytes = len(body)
    time.sleep(0.3)  # the last log lines
    entries, _ = log_entries(server, offset)
    page.client_ms = percentiles(client_ms)
    if page.streamed:
        page.server_ms = page.client_ms
    else:
        page.server_ms = percentiles([e["duration_ms"] for e in entries][-requests:])


LUA = r"""
local paths = {PATHS}
local bust = {BUST}
local counter = 0
local id = 0
local thread_ids = 0

function setup(thread)
  thread:set("id", thread_ids)
  thread_ids = thread_ids + 1
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  if bust then
    local separator = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. separator .. "bench=" .. id .. "-" .. counter
  end
  return wrk.format("GET", path, {["Host"] = "127.0.0.1"})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write("RESULT ", string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "socket_errors": %d, "status_errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk(base: str, page: Scenario, seconds: int, bust: bool) -> dict:
    if page.rotate:
        paths = [page.url(n).split("&bench=")[0] for n in range(len(page.rotate))]
    else:
        paths = [page.path]
    script = LUA.replace("{PATHS}", "{" + ", ".join(json.dumps(p) for p in paths) + "}")
    script = script.replace("{BUST}", "true" if bust else "false")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        done = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s",
             handle.name, base],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        )  # fmt: skip
    finally:
        os.unlink(handle.name)
    line = next(row for row in done.stdout.splitlines() if row.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    duration = figures["duration_us"] / 1e6
    return {
        "rps": round(figures["requests"] / duration, 1),
        "requests": figures["requests"],
        "errors": figures["socket_errors"] + figures["status_errors"],
        "latency_ms": {k: round(figures[k] / 1000, 1) for k in ("p50", "p95", "p99")},
    }


def worker_rss_mb(server) -> list[float]:
    listed = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(server.process.pid)], capture_output=True, text=True
    ).stdout.split()
    return [round(int(kb) / 1024, 1) for kb in listed]


# --- The run --------------------------------------------------------------------------------


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

    floor = pages[0]
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
        "pages": [],
    }
    for page in pages:
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
            entry["uncached"] = {
                **page.uncached,
                "share_of_floor": share(page.uncached, floor.warm),
            }
        report["pages"].append(entry)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return report


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
