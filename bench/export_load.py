"""Eight parallel requests for the full XLSX while visitors browse: the production server
(gunicorn, DEBUG off, loopback) against the export benchmark's database, with no dump built yet.

Two clients request pages one after another the whole time (lists, searches, programme pages,
the API) and time each answer: first WARM_UP_SECONDS unmeasured (every worker builds its
catalogue index and caches the pages), then BASELINE_SECONDS without exports, then while eight
clients ask for /programme/export.xlsx at once: the first request starts the build in a separate
process, all get 503 with Retry-After and ask again (after at most RETRY_CAP seconds rather than
the suggested 30, to keep the run short), until each has the whole file. Then the eight
download the finished file again and again for DOWNLOAD_SECONDS. Reports the pages' latency in
each phase, every answer the export clients got, how long until all eight had the file, and
whether gunicorn killed a worker (WORKER TIMEOUT) or answered 5xx other than the intended 503.
Bounded: at most DEADLINE seconds for the exports.
"""

import os
import random
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from bench.load_test import Server
from bench.web_measure import percentiles

CLIENTS = 8
PAGE_CLIENTS = 2
WARM_UP_SECONDS = 15
BASELINE_SECONDS = 15
RETRY_CAP = 5
DOWNLOAD_SECONDS = 10
DEADLINE = 240


def page_paths(rows: int) -> list[str]:
    rng = random.Random(7)
    lists = ["/", "/programme/", "/programme/?topic=klein", "/programme/?q=Gr%C3%BCnfl%C3%A4chen"]
    lists += ["/programme/?sort=updated", "/api/v1/programmes/", "/api/v1/programmes/?topic=klein"]
    details = [f"/programme/synthetisch-{rng.randrange(rows)}/" for _ in range(100)]
    return lists * 10 + details


def get(base: str, path: str, timeout: float = 60):
    """(status, headers, body size) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(base + path, headers={"Host": "127.0.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            size = 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
            return response.status, response.headers, size
    except urllib.error.HTTPError as error:
        return error.code, error.headers, len(error.read())


class PageClients:
    """Visitors: each thread requests the next page as soon as it has the last one."""

    def __init__(self, base: str, paths: list[str]):
        self.base, self.paths = base, paths
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors = Counter()

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                status, _, _ = get(self.base, rng.choice(self.paths), timeout=30)
            except OSError as error:
                status = type(error).__name__
            self.latencies.append((time.perf_counter() - started) * 1000)
            if status != 200:
                self.errors[str(status)] += 1

    def __enter__(self):
        self.threads = [
            threading.Thread(target=self.run, args=[n], daemon=True) for n in range(PAGE_CLIENTS)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def figures(self) -> dict:
        values = self.latencies or [0.0]
        return {
            **percentiles(values),
            "max": round(max(values), 1),
            "errors": dict(self.errors),
        }


def fetch_until_complete(
    base: str, start: threading.Barrier, deadline: float, repeat_until: float = 0
) -> dict:
    """One export client: asks until it has the whole file (or the deadline passes); with
    `repeat_until`, downloads it again and again until then."""
    start.wait()
    began = time.perf_counter()
    answers = Counter()
    size = 0
    while time.monotonic() < deadline:
        try:
            status, headers, size = get(base, "/programme/export.xlsx", timeout=60)
        except OSError as error:  # a timeout or a dropped connection: what must not happen
            answers[type(error).__name__] += 1
            continue
        answers[status] += 1
        if status == 200 and time.monotonic() >= repeat_until:
            break
        if status == 200:
            continue
        if status != 503:
            time.sleep(1)
            continue
        time.sleep(min(int(headers.get("Retry-After", "1")), RETRY_CAP))
    return {
        "seconds": round(time.perf_counter() - began, 1),
        "answers": {str(k): v for k, v in answers.items()},
        "bytes": size,
        "complete": answers.get(200, 0) >= 1,
    }


def export_round(base: str, repeat_seconds: float = 0) -> dict:
    start = threading.Barrier(CLIENTS)
    deadline = time.monotonic() + DEADLINE
    repeat_until = time.monotonic() + repeat_seconds if repeat_seconds else 0
    results: list[dict] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                fetch_until_complete(base, start, deadline, repeat_until)
            ),
            daemon=True,
        )
        for _ in range(CLIENTS)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE + 60)
    answers = Counter()
    for result in results:
        answers.update(result["answers"])
    return {
        "all_complete_after_s": round(time.perf_counter() - began, 1),
        "complete": sum(r["complete"] for r in results),
        "answers": dict(answers),
        "bytes": sorted({r["bytes"] for r in results if r["complete"]}),
        "client_seconds": sorted(r["seconds"] for r in results),
    }


def measure(database_url: str, rows: int) -> dict:
    """The scenario against a fresh server and an empty dump folder."""
    dump_dir = tempfile.TemporaryDirectory(prefix="kk-bench-dumps-")
    server = Server(workers=None)
    server.env.update(
        DATABASE_URL=database_url, EXPORT_DUMP_DIR=dump_dir.name, PYTHONUNBUFFERED="1"
    )
    paths = page_paths(rows)
    try:
        server.start()
        with PageClients(server.url, paths):
            time.sleep(WARM_UP_SECONDS)
        load_before = os.getloadavg()  # other work on the machine skews every figure
        with PageClients(server.url, paths) as pages:
            time.sleep(BASELINE_SECONDS)
        baseline = pages.figures()
        with PageClients(server.url, paths) as pages:
            cold = export_round(server.url)
        during_build = pages.figures()
        with PageClients(server.url, paths) as pages:
            warm = export_round(server.url, repeat_seconds=DOWNLOAD_SECONDS)
        during_download = pages.figures()
        load_after = os.getloadavg()
        time.sleep(0.5)  # the last log lines
        log = server.log_path.read_text()
        errors = server.server_errors()
    finally:
        server.stop()
        dump_dir.cleanup()
    return {
        "clients": CLIENTS,
        "page_clients": PAGE_CLIENTS,
        "pages_baseline_ms": baseline,
        "pages_during_build_ms": during_build,
        "pages_during_download_ms": during_download,
        "xlsx_first": cold,
        "xlsx_from_file": warm,
        "worker_timeouts": log.count("WORKER TIMEOUT"),
        "load_average": {"before": load_before, "after": load_after},
        "server_5xx_but_export_503": {
            path: n for path, n in errors.items() if path != "/programme/export.xlsx"
        },
    }


def report(result: dict) -> None:
    print(f"\n{result['clients']} parallel full XLSX requests, {result['page_clients']} visitors:")
    for label, key in [
        ("pages, no exports", "pages_baseline_ms"),
        ("pages, dump being built", "pages_during_build_ms"),
        ("pages, 8 downloading", "pages_during_download_ms"),
    ]:
        f = result[key]
        print(
            f"  {label:<26} p50 {f['p50']:>6} ms  p95 {f['p95']:>6} ms  p99 {f['p99']:>6} ms  "
            f"max {f['max']:>7} ms  n {f['n']:>5}  errors {f['errors'] or 0}"
        )
    r = result["xlsx_first"]
    print(
        f"  xlsx, first request for the version: {r['complete']}/{result['clients']} clients had "
        f"the file after {r['all_complete_after_s']} s; answers {r['answers']}; "
        f"bytes {r['bytes']}"
    )
    r = result["xlsx_from_file"]
    print(
        f"  xlsx, from the file: {r['answers'].get('200', 0)} downloads in "
        f"{r['all_complete_after_s']} s; answers {r['answers']}"
    )
    print(
        f"  worker timeouts: {result['worker_timeouts']}; other 5xx: "
        f"{result['server_5xx_but_export_503'] or 0}; load average (1, 5, 15 min) "
        f"{result['load_average']['before']} before, {result['load_average']['after']} after"
    )
