"""Measuring the production server: gunicorn started by bench.load_test.Server with the floor
(and Redis) switched on, sequential requests timed from its JSON request log, wrk runs at
concurrency CONNECTIONS, and the workers' memory afterwards."""

import json
import os
import statistics
import subprocess
import tempfile
import time
import urllib.request

from bench.load_test import Server
from bench.web_pages import Scenario

CONNECTIONS = 16


def start_server(url: str, redis: bool) -> Server:
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
