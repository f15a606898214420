"""Load test of the production server on loopback: wrk against gunicorn (DEBUG off) over a mix of
public pages, then requests, errors and latency percentiles.

    .venv/bin/python bench/load_test.py [--duration 60] [--connections 64] [--workers N]

Starts its own server (gunicorn with portal/gunicorn_config.py, collected static files, JSON logs
to a temporary file) against DATABASE_URL, reads the URL mix from that database, runs
``wrk -t2 -c<connections> -d<duration>s`` with a Lua script that rotates through the URLs, stops
the server and writes ``bench/results/load.json``. ``--url http://127.0.0.1:PORT`` tests a
server that is already running instead. Only loopback addresses are accepted; the run is bounded
by --duration (at most 600 s) and the number of connections (at most 512).

Errors are wrk's socket errors (connect, read, write, timeout) and answers that are neither 2xx
nor 3xx; the server's own log is searched for 5xx answers as well. Needs wrk
(``apt-get install wrk``).
"""

import argparse
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "load.json"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_DURATION, MAX_CONNECTIONS = 600, 512

LUA = r"""
-- Rotates through the URL mix; each thread starts at its own offset.
local paths = {PATHS}
local counter = 0
local offset = 0
local thread_id = 0

function setup(thread)
  thread:set("offset", thread_id * 7919)
  thread_id = thread_id + 1
end

function init(args)
  offset = tonumber(offset) or 0
end

function request()
  counter = counter + 1
  local path = paths[((counter + offset) % #paths) + 1]
  return wrk.format("GET", path, {["Host"] = "127.0.0.1", ["Accept-Encoding"] = "gzip"})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write("RESULT ", string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50": %d, "p75": %d, "p90": %d, ' ..
    '"p99": %d, "p999": %d, "max": %d, "mean": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def url_mix(limit_details: int = 150, seed: int = 7) -> list[str]:
    """Public pages as visitors use them: lists with searches and filters, detail pages of
    programmes, municipalities, principles and topics, and the open-data API."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from municipalities.models import Municipality
    from programmes.models import GuidingPrinciple, Programme, Topic

    rng = random.Random(seed)

    def sample(queryset, n):
        urls = [obj.get_absolute_url() for obj in queryset.order_by("pk")[:2000]]
        return rng.sample(urls, min(n, len(urls)))

    topics = list(Topic.objects.order_by("pk").values_list("slug", flat=True)[:20])
    searches = ["Förderung", "Quartier", "Digitalisierung", "Ehrenamt", "Klimaschutz", "Schule"]
    lists = ["/", "/programme/", "/programme/?sort=title", "/programme/?status=open"]
    lists += [f"/programme/?q={quote(term)}" for term in searches]
    lists += [f"/programme/?topic={slug}" for slug in topics[:6]]
    lists += ["/kommunen/", "/kommunen/?kind=kreis", "/leitbild/"]
    lists += ["/themen/", "/api/v1/programmes/", "/api/v1/programmes/?q=Quartier"]
    lists += ["/api/v1/municipalities/"]
    details = sample(Programme.objects.published(), limit_details)
    details += sample(Municipality.objects.filter(participations__isnull=False).distinct(), 40)
    details += sample(GuidingPrinciple.objects.all(), 20)
    details += [f"/themen/{slug}/" for slug in topics]
    details += [
        f"/api/v1/programmes/{slug}/"
        for slug in Programme.objects.published().order_by("pk").values_list("slug", flat=True)[:30]
    ]
    # Lists are the expensive pages; weigh them as a portal's visitors do (about a third).
    mix = lists * max(1, len(details) // (2 * len(lists))) + details
    rng.shuffle(mix)
    return mix


class Server:
    """gunicorn in production configuration on a free loopback port."""

    def __init__(self, workers: int | None):
        self.port = free_port()
        self.static = tempfile.TemporaryDirectory(prefix="kk-load-static-")
        self.log_path = Path(tempfile.mkstemp(prefix="kk-load-", suffix=".log")[1])
        self.env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "ADMIN_REQUIRE_2FA": "1",
            "LOG_FORMAT": "json",
            "STATIC_ROOT": self.static.name,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
        }
        if workers:
            self.env["GUNICORN_WORKERS"] = str(workers)
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        gunicorn = str(Path(python).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "portal.wsgi", "--config", "portal/gunicorn_config.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        answer = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ended:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2):
                    return
            except urllib.error.HTTPError as error:
                answer = error.read().decode()  # e.g. migrations pending
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not become ready: /readyz {answer}")

    def server_errors(self) -> Counter:
        """5xx answers by path, from the server's JSON request log."""
        errors = Counter()
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == "core.request" and entry.get("status", 0) >= 500:
                    errors[entry["path"]] += 1
        return errors

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.process:
            self._log.close()
        self.log_path.unlink(missing_ok=True)
        self.static.cleanup()


def warm_up(base: str, paths: list[str]) -> Counter:
    """Every distinct URL once, sequentially: proves each answers, and fills caches."""
    statuses = Counter()
    for path in dict.fromkeys(paths):
        request = urllib.request.Request(base + path, headers={"Host": "127.0.0.1"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses[response.status] += 1
        except urllib.error.HTTPError as error:
            statuses[error.code] += 1
            print(f"  warm-up: {path} answered {error.code}", file=sys.stderr)
    return statuses


def run_wrk(base: str, paths: list[str], duration: int, connections: int, threads: int) -> dict:
    lua_paths = "{" + ", ".join(json.dumps(p) for p in paths) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("{PATHS}", lua_paths))
    try:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            script.name,
            base,
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=True
        )
    finally:
        os.unlink(script.name)
    line = next(row for row in result.stdout.splitlines() if row.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    figures["wrk_output"] = result.stdout
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="concurrency (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--url", help="an already running server on loopback")
    args = parser.parse_args(argv)

    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1 … {MAX_DURATION}")
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--connections must be 1 … {MAX_CONNECTIONS}")
    if args.url and urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("--url must be a loopback address (127.0.0.1, localhost, ::1)")
    if not shutil.which("wrk"):
        parser.error("wrk is missing: apt-get install wrk")

    paths = url_mix()
    from django.conf import settings

    # The server uses the same database (also the embedded one of `make load`).
    os.environ.setdefault("DATABASE_URL", settings.DATABASE_URL)
    print(f"URL mix: {len(paths)} requests per round, {len(set(paths))} distinct pages")
    server = None if args.url else Server(args.workers)
    try:
        if server:
            server.start()
        base = args.url or server.url
        warm = warm_up(base, paths)
        print(f"Warm-up: {dict(warm)}")
        figures = run_wrk(base, paths, args.duration, args.connections, args.threads)
        server_errors = server.server_errors() if server else Counter()
    finally:
        if server:
            server.stop()

    seconds = figures["duration_us"] / 1e6
    socket_errors = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
    report = {
        "duration_s": round(seconds, 1),
        "connections": args.connections,
        "requests": figures["requests"],
        "requests_per_s": round(figures["requests"] / seconds, 1),
        "errors_non_2xx_3xx": figures["status"],
        "errors_socket": socket_errors,
        "errors_by_kind": {k: figures[k] for k in ("connect", "read", "write", "timeout")},
        "server_5xx_by_path": dict(server_errors),
        "latency_ms": {
            name: round(figures[name] / 1000, 1)
            for name in ("p50", "p75", "p90", "p99", "p999", "max")
        },
        "latency_mean_ms": round(figures["mean"] / 1000, 1),
        "transfer_mb": round(figures["bytes"] / 1e6, 1),
        "distinct_pages": len(set(paths)),
        "warm_up_statuses": {str(k): v for k, v in warm.items()},
        "gunicorn_workers": args.workers or "config",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print(
        f"{report['requests']} requests in {report['duration_s']} s "
        f"({report['requests_per_s']}/s) at concurrency {args.connections}"
    )
    print(
        f"errors: {report['errors_non_2xx_3xx']} non-2xx/3xx, {socket_errors} socket "
        f"{report['errors_by_kind']}, server 5xx: {sum(server_errors.values())}"
    )
    latency = report["latency_ms"]
    print("latency ms: " + ", ".join(f"{k} {v}" for k, v in latency.items()))
    print(f"written to {RESULTS.relative_to(ROOT)}")
    failed = report["errors_non_2xx_3xx"] or socket_errors or server_errors
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
