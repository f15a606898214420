"""Chaos run on loopback: wrk against the production server over a mix of public pages with ~1 %
hostile requests and ~1 % exports while the workers lose their LISTEN connections, two changes
are published and Redis stops answering for a while.

    .venv/bin/python -m bench chaos [--duration 60] [--connections 64] [--blackhole 20]
    make bench BENCH=chaos

- Database ``kk_chaos`` on the machine's PostgreSQL (``--database-url``), set up with
  ``manage.py setup_portal`` (catalogue fixtures, every NRW municipality) when it is missing.
- gunicorn as in bench/load_test.py (DEBUG off, JSON logs, workers for the cores); REDIS_URL
  points at bench/blackhole_proxy.py in front of Redis (127.0.0.1:6379, database 13), which can
  be switched to "accept, read, never answer". The access log names each request's worker.
- Timeline, as shares of the run: 10 % every ``kommunalkompass catalogue watch`` backend of the
  database is terminated; 15 % change A (a programme's title, by the ORM in this process); 35 %
  Redis blackholed for ``--blackhole`` s (at most 40 % of the run); 50 % change B (appended to A).
- Visibility: four threads request the programme's page with ``?chaos=<n>`` (a parameter that
  view and page cache ignore); the access log tells which worker answered n. A change is visible
  on a worker from its first answer showing the new title; every worker means every gunicorn
  child in /proc before and after the run, and each must have answered after the write.

Prints and writes bench/results/chaos.json. Exit status 1 on any 5xx, socket error or worker
that never showed a change.
"""

import argparse
import itertools
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, namedtuple
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.blackhole_proxy import BlackholeProxy
from bench.load_test import LOOPBACK, Server, run_wrk, url_mix, warm_up

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "chaos.json"
DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/kk_chaos"
REDIS_DB = 13
WATCH = "kommunalkompass catalogue watch"
MINE = "FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()"
ACCESS_FORMAT = "chaos %(p)s %(s)s %(M)s %(r)s"  # worker pid, status, ms, request line
ACCESS_LINE = re.compile(r"chaos <(\d+)> (\d+) (\d+) \S+ (\S+)")
Hit = namedtuple("Hit", "start end pid status target")  # one request, from the access log
POLLERS = 4

# Never a 5xx: 4xx, or 200 where the input is harmless once cleaned (a control character dropped
# from a feed search, invalid UTF-8, unknown parameters).
HOSTILE = [
    "/programme/?q=%01%0B%7F",
    "/programme/feed/?q=%0B",
    "/programme/fristen.ics?q=%01%1F",
    "/api/v1/programmes/?q=%00",
    "/programme/?q=%ED%A0%80%FF",
    "/programme/?q=" + "x" * 3000,
    "/programme/?topic=" + "y" * 2000,
    "/programme/?q=" + "z" * 9000,  # request line over 8190 bytes: gunicorn answers 414
    "/programme/?page=99999",
    "/programme/?page=zwei",
    "/api/v1/programmes/?page=0",
    "/kommunen/?kind=mond",
    "/programme/export.csv?topic=gibt-es-nicht",
    "/programme/?utm_source=%FF&x=1&sort=title",
    "/programme/gibt-es-nicht/",
    "/sitemap-unbekannt.xml",
]
EXPORTS = [  # with and without filters; {slug} and {topic} from the database
    "/programme/export.csv",
    "/programme/export.xlsx",
    "/programme/fristen.ics",
    "/programme/{slug}/fristen.ics",
    "/programme/export.csv?topic={topic}",
    "/programme/export.xlsx?q=Quartier",
    "/programme/fristen.ics?status=open",
    "/programme/export.csv?q=F%C3%B6rderung",
]
EVENTS = ("listen_killed_at", "change_a", "blackhole_from", "change_b", "blackhole_until")


def mixed(pages: list[str], hostile: list[str], exports: list[str]) -> list[str]:
    """The pages repeated so that hostile requests and exports are about 1 % each (shuffled)."""
    mix = pages * max(1, round(98 * len(hostile) / len(pages)))
    mix += hostile + exports * max(1, round(len(hostile) / len(exports)))
    random.Random(15).shuffle(mix)
    return mix


# --- what the run does and observes ----------------------------------------------------------


def worker_rss(server: Server) -> dict[int, float]:
    """Resident memory (MB) of each gunicorn worker, from /proc."""
    master = server.process.pid
    rss = {}
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        status = Path(f"/proc/{pid}/status").read_text()
        rss[int(pid)] = round(int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024, 1)
    return rss


def watchers(terminate: bool = False) -> int:
    """The workers' LISTEN connections to this database: counted, or terminated."""
    from django.db import connection

    what = "pg_terminate_backend(pid)" if terminate else "*"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count({what}) {MINE}", [WATCH])
        return cursor.fetchone()[0]


def fetch(url: str, timeout: float = 30) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


class Poller:
    """Threads asking for one page again and again (``?chaos=<n>``); ``shown[n]`` is the status
    of answer n and the markers it showed."""

    def __init__(self, url: str, markers: list[str]):
        self.url, self.markers, self.shown = url, markers, {}
        self.numbers, self.done = itertools.count(), threading.Event()
        self.threads = [threading.Thread(target=self.poll) for _ in range(POLLERS)]

    def poll(self) -> None:
        while not self.done.is_set():
            n = next(self.numbers)
            try:
                status, body = fetch(f"{self.url}?chaos={n}", timeout=15)
            except OSError:
                status, body = 0, ""
            self.shown[n] = status, {m for m in self.markers if m in body}
            time.sleep(0.02)


def read_log(server: Server, offset: int) -> tuple[list[Hit], Counter]:
    """Every request after ``offset`` with the worker's handling time (wall clock), and every
    warning or error (numbers as N): gunicorn's own 4xx, such as 414 for a request line over
    8190 bytes, are only there ("Invalid request"), worker timeouts and tracebacks too."""
    hits, problems = [], Counter()
    for line in server.log_path.read_text()[offset:].splitlines():
        entry = json.loads(line) if line.startswith("{") else {"message": line, "level": "?"}
        if entry.get("logger") == "gunicorn.access" and (m := ACCESS_LINE.match(entry["message"])):
            end = datetime.fromisoformat(entry["time"]).timestamp()
            hits.append(Hit(end - int(m[3]) / 1000, end, int(m[1]), int(m[2]), m[4]))
        elif entry["level"] != "INFO":
            problems[re.sub(r"\d+", "N", f"{entry['level']} {entry['message']}")[:150]] += 1
    return hits, problems


def visibility(hits: list[Hit], shown: dict, workers, written: float, marker: str) -> dict:
    """Per worker, from the polls it began handling after the write: seconds from the write to
    the end of the first one showing ``marker``, and how many did not show it (and until when)."""
    per_worker = {}
    for pid in workers:
        polls = [
            (h, shown[n][1])
            for h in hits
            if h.pid == pid and h.start >= written and "chaos=" in h.target
            and shown.get(n := int(h.target.rsplit("=", 1)[1]), (0,))[0] == 200
        ]  # fmt: skip
        fresh = [h for h, markers in polls if marker in markers]
        stale = [h for h, markers in polls if marker not in markers]
        per_worker[pid] = {
            "polls": len(polls),
            "first_poll_s": round(polls[0][0].start - written, 3) if polls else None,
            "visible_by_s": round(fresh[0].end - written, 3) if fresh else None,
            "stale_polls": len(stale),
            "stale_until_s": round(stale[-1].end - written, 3) if stale else None,
        }
    shown_by = [w["visible_by_s"] for w in per_worker.values()]
    every = None if None in shown_by or not shown_by else max(shown_by)
    return {"visible_on_every_worker_s": every, "workers": per_worker}


def prepare_database(url: str) -> None:
    """Create and set up the database when it is missing (setup_portal); migrate it otherwise."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    command = ["migrate", "--noinput", "-v0"] if exists else ["setup_portal"]
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)  # fmt: skip


def chaos(started: float, args, proxy: BlackholeProxy, programme, titles: list[str]) -> dict:
    """The disturbances at their shares of the run; returns when each happened (wall clock)."""

    def at(share: float) -> float:
        time.sleep(max(0.0, started + share * args.duration - time.time()))
        return time.time()

    def publish(title: str) -> float:
        type(programme).objects.filter(pk=programme.pk).update(title=title)  # autocommit
        return time.time()

    events = {"listen_before": watchers(), "listen_killed_at": at(0.10)}
    events["listen_killed"] = watchers(terminate=True)
    at(0.15)
    events["change_a"] = publish(titles[0])
    at(0.35)
    events["blackhole_from"] = proxy.blackhole(True)
    at(0.50)
    events["change_b"] = publish(titles[1])
    until = events["blackhole_from"] + min(args.blackhole, 0.4 * args.duration)
    time.sleep(max(0.0, until - time.time()))
    events["blackhole_until"] = proxy.blackhole(False)
    return events


def summary(wrk: dict, hits: list[Hit], poller: Poller, kinds: dict, started: float) -> dict:
    """Requests, latency, statuses by kind (from the access log) and errors."""
    statuses = {kind: Counter() for kind in ("page", "hostile", "export", "poll")}
    for hit in hits:
        kind = "poll" if "chaos=" in hit.target else kinds.get(hit.target, "page")
        statuses[kind][hit.status] += 1
    polls = Counter(status for status, _ in poller.shown.values())
    per_second = Counter(int(hit.end - started) for hit in hits)
    return {
        "requests": {"wrk": wrk["requests"], "polls": polls.total(),
                     "total": wrk["requests"] + polls.total()},
        "duration_s": round(wrk["duration_us"] / 1e6, 1),
        "latency_ms": {k: round(wrk[k] / 1000, 1) for k in ("p50", "p90", "p99", "max")},
        "errors_5xx": sum(n for c in statuses.values() for s, n in c.items() if s >= 500),
        # anything but 2xx/3xx/4xx in the access log, and polls not answered with 200
        "unexpected": {f"{k} {s}": n for k, c in statuses.items() for s, n in c.items() if s >= 500}
        | {f"poll answer {s}": n for s, n in polls.items() if s != 200},
        "socket_errors": {k: wrk[k] for k in ("connect", "read", "write", "timeout")},
        "statuses": {kind: dict(sorted(c.items())) for kind, c in statuses.items()},
        "answered_per_second": [per_second[s] for s in range(max(per_second, default=0) + 1)],
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="concurrency (default 64)")
    parser.add_argument("--blackhole", type=float, default=20, help="seconds without Redis")
    parser.add_argument("--database-url", default=DATABASE_URL, help=f"default {DATABASE_URL}")
    args = parser.parse_args(argv)
    if not 10 <= args.duration <= 600 or not 1 <= args.connections <= 512:
        parser.error("--duration must be 10 … 600, --connections 1 … 512")
    if urlsplit(args.database_url).hostname not in LOOPBACK or not shutil.which("wrk"):
        parser.error("needs a database on loopback and wrk (apt-get install wrk)")

    os.environ["DATABASE_URL"] = args.database_url
    prepare_database(args.database_url)
    pages = url_mix()  # sets Django up against that database
    from programmes.models import Programme, Topic

    programme = Programme.objects.published().order_by("pk").first()
    original, token = programme.title, secrets.token_hex(4)
    markers = [f"Chaos-A-{token}", f"Chaos-B-{token}"]
    titles = [f"{original} {markers[0]}", f"{original} {markers[0]} {markers[1]}"]
    topic = Topic.objects.order_by("pk").first().slug
    exports = [path.format(slug=programme.slug, topic=topic) for path in EXPORTS]
    kinds = dict.fromkeys(pages, "page") | dict.fromkeys(exports, "export")
    kinds |= dict.fromkeys(HOSTILE, "hostile")
    mix = mixed(pages, HOSTILE, exports)
    pytest = subprocess.run(["pgrep", "-f", "pytest"], capture_output=True).stdout
    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "pytest_running_before": bool(pytest),  # other tests skew every figure
        "programmes": Programme.objects.count(),
        "connections": args.connections,
        "mix": dict(Counter(kinds[path] for path in mix)),
    }  # fmt: skip

    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], capture_output=True)
    proxy, server = BlackholeProxy(6379), Server(workers=None)
    server.env.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}",
        GUNICORN_ACCESS_LOG="1",
        GUNICORN_CMD_ARGS=f"--access-logformat '{ACCESS_FORMAT}'",
        PYTHONUNBUFFERED="1",
    )
    try:
        server.start()
        report["warm_up_statuses"] = dict(warm_up(server.url, list(dict.fromkeys(pages + exports))))
        report["hostile_statuses"] = {path[:60]: fetch(server.url + path)[0] for path in HOSTILE}
        rss_before, offset = worker_rss(server), len(server.log_path.read_text())
        poller, wrk = Poller(server.url + programme.get_absolute_url(), markers), {}
        run = (server.url, mix, args.duration, args.connections, 2)
        load = threading.Thread(target=lambda: wrk.update(run_wrk(*run)))
        started = time.time()
        for thread in [load, *poller.threads]:
            thread.start()
        events = chaos(started, args, proxy, programme, titles)
        load.join()
        poller.done.set()
        for thread in poller.threads:
            thread.join()
        time.sleep(0.5)  # the last log lines
        rss_after, listening = worker_rss(server), watchers()
        hits, report["server_log_problems"] = read_log(server, offset)
        report["server_5xx_by_path"] = dict(server.server_errors())
        report["redis_proxy"] = proxy.figures()
    finally:
        server.stop()
        proxy.stop()
        Programme.objects.filter(pk=programme.pk).update(title=original)

    workers = sorted(set(rss_before) | set(rss_after))
    report |= summary(wrk, hits, poller, kinds, started)
    report["events_s"] = {name: round(events[name] - started, 1) for name in EVENTS}
    report["listen_connections"] = {
        "before": events["listen_before"], "killed": events["listen_killed"], "after": listening
    }  # fmt: skip
    report["visibility"] = {
        name: visibility(hits, poller.shown, workers, events[name], marker)
        for name, marker in zip(("change_a", "change_b"), markers, strict=True)
    }
    report["worker_rss_mb"] = {"before": rss_before, "after": rss_after}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"written to {RESULTS.relative_to(ROOT)}")
    unseen = any(v["visible_on_every_worker_s"] is None for v in report["visibility"].values())
    failed = report["errors_5xx"] or report["unexpected"] or any(report["socket_errors"].values())
    logged = any(p.startswith(("ERROR", "CRITICAL")) for p in report["server_log_problems"])
    return 1 if failed or unseen or logged else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
