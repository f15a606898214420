"""Composes and sends e-mail alert digests to a local SMTP sink: mails per second and memory.

    .venv/bin/python -m bench.alerts [--digests 10000]

Creates ``<database>_alertsbench`` next to the configured database (never touches the real
one) with 10 topics of 30 new programmes each and ``--digests`` confirmed daily alerts spread
over 60 lists (each topic with six filter combinations that keep its programmes) and four
periods, so every alert is due with a digest of 30 new programmes and a run composes 240
different digests (alerts sharing list and period share it; each mail is its own). The SMTP sink
(aiosmtpd) runs in its own process on loopback. For a tenth of the alerts and then all of them,
reports how long composing (the digests stored with their marks) and delivering took, mails per
second, and how far the resident memory rose above the start of each phase (sampled every
20 ms). Flat means ten times the alerts need about the same memory. Writes
``bench/results/alerts.json``.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "alerts.json"
TOPICS, PER_TOPIC = 10, 30
# Each topic's list with different filters that keep all of its programmes: 60 lists in all.
VARIANTS = [
    "",
    "&level=land",
    "&kind=foerderprogramm",
    "&level=bund&level=land",
    "&kind=foerderprogramm&level=land",
    "&kind=foerderprogramm&kind=wettbewerb",
]
PERIODS = 4  # alerts last composed at four different moments


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run_sink(port: int) -> None:
    """The sink process: counts mails until its stdin closes, then prints the count."""
    sys.path.insert(0, str(ROOT))
    from tests.smtp_sink import Sink

    sink = Sink(keep=False)
    sink.port = port
    sink.up()
    print("ready", flush=True)
    sys.stdin.read()
    sink.down()
    print(sink.count, flush=True)


class PeakRss:
    """The highest resident memory of this process while the block runs, above its start."""

    def __enter__(self):
        self.start = self.peak = _rss()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, _rss())
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.rise_mb = round((self.peak - self.start) / 2**20, 1)


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fill(digests: int) -> None:
    from django.utils import timezone

    from alerts.models import Subscription
    from tests.factories import make_programme, make_topic

    topics = [make_topic(f"Thema {n}") for n in range(TOPICS)]
    for topic in topics:
        for n in range(PER_TOPIC):
            make_programme(f"{topic.name} – Programm {n}", topics=[topic])
    hour_ago = timezone.now() - timedelta(hours=1)
    Subscription.objects.bulk_create(
        (
            Subscription(
                email=f"person{n}@bench.example",
                query=f"topic={topics[n % TOPICS].slug}{VARIANTS[n // TOPICS % len(VARIANTS)]}",
                rhythm="daily",
                created=hour_ago,
                confirmed=hour_ago,
            )
            for n in range(digests)
        ),
        batch_size=2000,
    )


def measure(count: int) -> dict:
    """Make `count` alerts due (the others not), then compose and deliver them."""
    from django.db import connection
    from django.db.models import Avg
    from django.db.models.functions import Length
    from django.utils import timezone

    from alerts.delivery import deliver_waiting
    from alerts.models import Delivery, Subscription
    from alerts.sending import compose_due

    Delivery.objects.all().delete()
    now = timezone.now()
    first = Subscription.objects.order_by("pk").values_list("pk", flat=True)[:count]
    Subscription.objects.update(due=now + timedelta(days=1))
    with connection.cursor() as cursor:  # four different periods, so four digests per list
        cursor.execute(
            "UPDATE alerts_subscription SET covered_until = %s - (id %% %s) * interval '1 minute'",
            [now - timedelta(hours=1), PERIODS],
        )
    Subscription.objects.filter(pk__in=list(first)).update(due=now)
    with PeakRss() as composing:
        started = time.perf_counter()
        composed = compose_due(now)
        compose_seconds = time.perf_counter() - started
    sizes = Delivery.objects.aggregate(size=Avg(Length("text") + Length("html")))
    size_kb = round((sizes["size"] or 0) / 1024, 1)
    with PeakRss() as delivering:
        started = time.perf_counter()
        sent = deliver_waiting(now).sent
        deliver_seconds = time.perf_counter() - started
    return {
        "digests": count,
        "composed": composed,
        "sent": sent,
        "compose_seconds": round(compose_seconds, 1),
        "deliver_seconds": round(deliver_seconds, 1),
        "digests_composed_per_second": round(composed / compose_seconds),
        "mails_sent_per_second": round(sent / deliver_seconds),
        "mails_per_second_end_to_end": round(sent / (compose_seconds + deliver_seconds)),
        "compose_rss_rise_mb": composing.rise_mb,
        "deliver_rss_rise_mb": delivering.rise_mb,
        "mail_kb": size_kb,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=10_000)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sink:
        run_sink(args.sink)
        return
    setup_django()
    from django.conf import settings
    from django.db import connection

    from tests.smtp_sink import _free_port

    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.alerts", "--sink", str(port)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False

    name = f"{connection.settings_dict['NAME']}_alertsbench"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        fill(args.digests)
        print(
            f"{args.digests} alerts, {TOPICS * PER_TOPIC} programmes in "
            f"{time.perf_counter() - started:.1f} s"
        )
        runs = [measure(max(args.digests // 10, 1)), measure(args.digests)]
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        sink.stdin.close()
        received = int(sink.stdout.readline())
        sink.wait()
    for run in runs:
        print(
            f"{run['digests']:>6} digests: composed in {run['compose_seconds']} s "
            f"({run['digests_composed_per_second']}/s, memory +{run['compose_rss_rise_mb']} MB), "
            f"sent in {run['deliver_seconds']} s ({run['mails_sent_per_second']} mails/s, "
            f"memory +{run['deliver_rss_rise_mb']} MB); end to end "
            f"{run['mails_per_second_end_to_end']} mails/s"
        )
    print(f"the sink received {received} mails (expected {sum(r['sent'] for r in runs)})")
    report = {
        "runs": runs,
        "sink_received": received,
        "programmes_per_digest": PER_TOPIC,
        "distinct_digests": TOPICS * len(VARIANTS) * PERIODS,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
