"""The link check against real HTTP servers on loopback: what each kind of answer is recorded as,
which new address a permanent redirect proposes, and the limits on concurrent requests."""

import asyncio
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.link_check import USER_AGENT, Limits, check_urls, record
from core.models import LinkCheck
from programmes.link_status import programmes_with_failed_links, with_moved_link
from programmes.models import Link
from tests.admin_builders import make_editor, make_source
from tests.factories import make_funding_body, make_programme
from tests.servers import free_port

FAST = Limits(concurrency=8, per_host=4, timeout=0.5, deadline=5)

REDIRECTS = {
    "/chain/1": (302, "/chain/2"),
    "/chain/2": (307, "3"),  # relative to the current address
    "/chain/3": (303, "/ok"),
    "/moved": (301, "/new-home"),
    "/moved-twice": (308, "/moved"),
    "/temporary-then-moved": (302, "/moved"),
    "/moved-then-temporary": (301, "/chain/3"),
    "/loop": (302, "/loop"),
    "/deep/page": (301, "/"),
}


class Gauge:
    """How many requests are held at once, and the most so far."""

    def __init__(self):
        self.now = self.most = 0
        self.lock = threading.Lock()

    def add(self, step: int):
        with self.lock:
            self.now += step
            self.most = max(self.most, self.now)


class Site:
    """A web server on loopback whose paths answer as their names say, counting how many
    requests it holds at once (also into `shared`, a gauge of several sites)."""

    def __init__(self, shared: Gauge | None = None):
        self.gauges = [Gauge()] + ([shared] if shared else [])
        self.requests: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def most_in_flight(self) -> int:
        return self.gauges[0].most

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self):
                self._answer(body=False)

            def do_GET(self):
                self._answer(body=True)

            def log_message(self, *args):
                pass

            def _answer(self, body: bool):
                with site.lock:
                    site.requests.append((self.command, self.path, self.headers["User-Agent"]))
                for gauge in site.gauges:
                    gauge.add(1)
                try:
                    self._respond(body)
                finally:
                    for gauge in site.gauges:
                        gauge.add(-1)

            def _respond(self, body: bool):
                path = self.path
                if path in REDIRECTS:
                    status, location = REDIRECTS[path]
                    return self._send(status, location=location)
                if path == "/slow":
                    site.release.wait(10)
                    return self._send(200)
                if path.startswith("/busy/"):
                    time.sleep(0.15)
                    return self._send(200)
                if path == "/no-head" and not body:
                    return self._send(405)
                if path in ("/", "/ok", "/new-home", "/no-head"):
                    return self._send(200, body=b"<p>Hallo</p>" if body else b"")
                if path == "/error":
                    return self._send(500)
                return self._send(404)

            def _send(self, status: int, location: str = "", body: bytes = b""):
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def site():
    server = Site()
    yield server
    server.close()


def check_one(url: str, limits: Limits = FAST):
    (outcome,) = check_urls([url], limits)
    return outcome


def test_an_answering_page_is_ok_and_asked_with_a_browser_like_user_agent(site):
    outcome = check_one(site.url("/ok"))
    assert (outcome.status, outcome.http_status, outcome.redirects) == ("ok", 200, [])
    assert outcome.final_url == site.url("/ok")
    assert site.requests == [("HEAD", "/ok", USER_AGENT)]
    assert USER_AGENT.startswith("Mozilla/5.0") and "Kommunalkompass" in USER_AGENT


def test_a_redirect_chain_is_followed_and_recorded_hop_by_hop(site):
    outcome = check_one(site.url("/chain/1"))
    assert outcome.status == LinkCheck.Status.REDIRECT
    assert outcome.http_status == 200
    assert outcome.redirects == [
        [302, site.url("/chain/2")],
        [307, site.url("/chain/3")],
        [303, site.url("/ok")],
    ]
    assert outcome.final_url == site.url("/ok")
    assert outcome.proposed_url == ""  # temporary redirects keep the old address


def test_a_permanent_redirect_proposes_the_new_address(site):
    assert check_one(site.url("/moved")).proposed_url == site.url("/new-home")
    assert check_one(site.url("/moved-twice")).proposed_url == site.url("/new-home")
    # Moved for good, then sent on temporarily: the permanent target is the new address.
    assert check_one(site.url("/moved-then-temporary")).proposed_url == site.url("/chain/3")
    # A temporary redirect first: the owner keeps the old address.
    assert check_one(site.url("/temporary-then-moved")).proposed_url == ""


@pytest.mark.parametrize(("path", "code"), [("/missing", 404), ("/error", 500)])
def test_an_error_answer_is_broken_after_asking_again_with_get(site, path, code):
    outcome = check_one(site.url(path))
    assert (outcome.status, outcome.http_status) == ("broken", code)
    assert outcome.error == f"Der Server antwortet mit Fehler {code}"
    assert [method for method, *_rest in site.requests] == ["HEAD", "GET"]


def test_a_server_refusing_head_is_asked_with_get(site):
    outcome = check_one(site.url("/no-head"))
    assert (outcome.status, outcome.http_status) == ("ok", 200)
    assert [method for method, *_rest in site.requests] == ["HEAD", "GET"]


def test_a_deep_link_sent_to_the_start_page_counts_as_broken(site):
    outcome = check_one(site.url("/deep/page"))
    assert outcome.status == LinkCheck.Status.BROKEN
    assert "Startseite" in outcome.error
    assert outcome.proposed_url == ""


def test_a_server_that_does_not_answer_in_time_is_an_error(site):
    started = time.monotonic()
    outcome = check_one(site.url("/slow"))
    assert time.monotonic() - started < 3
    assert (outcome.status, outcome.http_status) == ("error", None)
    assert outcome.error == "Zeitüberschreitung: keine Antwort binnen 0.5 Sekunden"


def test_a_refused_connection_is_an_error():
    outcome = check_one(f"http://127.0.0.1:{free_port()}/")
    assert outcome.status == LinkCheck.Status.ERROR
    assert outcome.error.startswith("Verbindung abgelehnt")


def test_endless_redirects_and_other_schemes_are_errors(site):
    assert check_one(site.url("/loop")).error == "Mehr als 10 Umleitungen"
    assert check_one("ftp://127.0.0.1/datei").error == "Keine Web-Adresse (http oder https)"


def test_no_host_gets_more_than_its_share_while_others_are_asked_meanwhile():
    first, second = Site(), Site()
    try:
        urls = [site.url(f"/busy/{n}") for n in range(6) for site in (first, second)]
        outcomes = check_urls(urls, Limits(concurrency=10, per_host=2, timeout=2))
    finally:
        first.close()
        second.close()
    assert {outcome.status for outcome in outcomes} == {"ok"}
    assert first.most_in_flight == second.most_in_flight == 2


def test_no_more_requests_than_the_overall_limit_are_in_flight():
    everywhere = Gauge()
    sites = [Site(everywhere) for _n in range(3)]
    try:
        urls = [site.url(f"/busy/{n}") for n in range(3) for site in sites]
        check_urls(urls, Limits(concurrency=3, per_host=2, timeout=2))
    finally:
        for site in sites:
            site.close()
    assert everywhere.most == 3


@pytest.mark.django_db
def test_results_are_kept_per_address_with_the_start_of_a_failure(site):
    missing = site.url("/missing")
    record(check_urls([missing, site.url("/ok")], FAST))
    first = LinkCheck.objects.get(url=missing)
    assert first.failed and first.failing_since == first.checked_at
    record(check_urls([missing], FAST), keep_only_these=True)
    again = LinkCheck.objects.get(url=missing)
    assert again.checked_at > first.checked_at
    assert again.failing_since == first.failing_since
    assert list(LinkCheck.objects.values_list("url", flat=True)) == [missing]


@pytest.mark.django_db
def test_check_links_checks_the_catalogue_and_names_what_failed(site, admin_client):
    fine = make_programme("Gute Adressen", website=site.url("/ok"))
    broken = make_programme("Kaputter Link")
    Link.objects.create(programme=broken, title="Förderaufruf", url=site.url("/missing"))
    moved = make_programme("Umgezogene Quelle")
    make_source(moved, title="Richtlinie", url=site.url("/moved"))
    make_funding_body("Ministerium", url=site.url("/error"))
    make_programme("Lastgenerator", website=site.url("/synthetic"), is_synthetic=True)
    LinkCheck.objects.create(
        url="https://nicht-mehr-zitiert.example/", status="ok", checked_at=fine.created
    )

    out = io.StringIO()
    call_command("check_links", "--timeout", "0.5", stdout=out)

    assert (
        "4 Adressen geprüft: 1 erreichbar, 1 umgeleitet, 2 defekt, 0 keine Antwort."
        in out.getvalue()
    )
    assert set(LinkCheck.objects.values_list("url", flat=True)) == {
        site.url(path) for path in ("/ok", "/missing", "/moved", "/error")
    }
    assert list(programmes_with_failed_links()) == [broken]
    assert list(with_moved_link(fine.__class__.objects.all())) == [moved]

    page = admin_client.get(reverse("admin:programmes_programme_change", args=[broken.pk]))
    assert "Ergebnis der Linkprüfung" in page.text
    assert "Link „Förderaufruf“" in page.text and "defekt (404)" in page.text

    listing = admin_client.get(reverse("admin:core_linkcheck_changelist"))
    assert "Linkprüfung zum Ansehen auswählen" in listing.text and "Verwendet in" in listing.text
    assert "Neue Adresse eintragen:" in listing.text and site.url("/new-home") in listing.text
    assert "Quelle „Richtlinie“: <a" in listing.text
    moved_only = admin_client.get(reverse("admin:core_linkcheck_changelist") + "?umgezogen=ja")
    assert site.url("/new-home") in moved_only.text and site.url("/missing") not in moved_only.text


@pytest.mark.django_db
def test_the_worker_checks_the_links_weekly_through_the_same_function(site):
    from procrastinate.contrib.django import app

    from programmes.tasks import check_links

    schedules = {
        periodic.task.name: periodic.cron
        for periodic in app.periodic_registry.periodic_tasks.values()
    }
    assert schedules.get("programmes.tasks.check_links") == "17 3 * * 1"
    make_programme("Wöchentlich geprüft", website=site.url("/missing"))
    check_links(timestamp=0)  # as the worker calls it
    assert LinkCheck.objects.get().status == LinkCheck.Status.BROKEN


@pytest.mark.django_db
def test_editors_read_the_results_but_cannot_change_them(client):
    LinkCheck.objects.create(url="https://example.org/", status="ok", checked_at=timezone.now())
    client.force_login(make_editor())
    assert client.get(reverse("admin:core_linkcheck_changelist")).status_code == 200
    check = LinkCheck.objects.get()
    page = client.get(reverse("admin:core_linkcheck_change", args=[check.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text


def test_checks_also_from_code_that_runs_an_event_loop(site):
    async def inside_a_loop():
        return check_one(site.url("/ok"))

    assert asyncio.run(inside_a_loop()).status == LinkCheck.Status.OK
