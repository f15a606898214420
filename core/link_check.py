"""Does a web address still answer, and where does it lead now? Checks many addresses at once and
keeps the last result per address (core.models.LinkCheck); it knows nothing of who cites them.

httpx's asyncio client: one event loop holds hundreds of slow servers at the cost of a socket
each, with separate connect and read timeouts. Two limits hold for every single request:
`concurrency` in all, `per_host` to one host, so a site with fifty links sees at most two at a
time, and waiting for a busy host never blocks a request to another one.

Each address is asked with HEAD; an error answer is asked again with GET, since many servers
refuse or mishandle HEAD (405, 403, 404, 501). Redirects are followed by hand and recorded
hop by hop. Where the chain starts with permanent redirects (301/308), their last target is
proposed as the new address, provided it answers.
"""

import asyncio
import socket
import ssl
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.db import transaction
from django.utils import timezone

from core.models import FAILED, LinkCheck

# A browser's, with a name and purpose: some official sites turn away unknown clients.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 (compatible; Kommunalkompass-NRW-Linkpruefung/1.0)"
)
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
    "Accept-Language": "de-DE,de;q=0.9",
}
PERMANENT = frozenset({301, 308})
REDIRECT = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Limits:
    concurrency: int = 16  # requests in flight in all
    per_host: int = 2  # requests in flight to one host (name and port)
    timeout: float = 15.0  # seconds to connect, and between two reads of an answer
    deadline: float = 60.0  # seconds for one address, its redirects and the GET included


@dataclass
class Outcome:
    url: str
    status: str
    http_status: int | None = None
    final_url: str = ""
    proposed_url: str = ""
    error: str = ""
    redirects: list[list] = field(default_factory=list)


class _GaveUp(Exception):
    """An address that leads nowhere an answer can come from."""


class _Checker:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.slots = asyncio.Semaphore(limits.concurrency)
        self.hosts = defaultdict(lambda: asyncio.Semaphore(limits.per_host))

    async def run(self, urls: list[str]) -> list[Outcome]:
        async with httpx.AsyncClient(
            headers=HEADERS,
            timeout=httpx.Timeout(self.limits.timeout),
            limits=httpx.Limits(max_connections=self.limits.concurrency),
            follow_redirects=False,
        ) as self.client:
            return await asyncio.gather(*(self.check(url) for url in urls))

    async def check(self, url: str) -> Outcome:
        hops: list[list] = []
        try:
            async with asyncio.timeout(self.limits.deadline):
                http_status = await self._follow(url, hops)
        except httpx.TimeoutException:
            error = f"Zeitüberschreitung: keine Antwort binnen {self.limits.timeout:g} Sekunden"
            return Outcome(url, LinkCheck.Status.ERROR, error=error, redirects=hops)
        except TimeoutError:
            error = f"Zeitüberschreitung: nach {self.limits.deadline:g} Sekunden abgebrochen"
            return Outcome(url, LinkCheck.Status.ERROR, error=error, redirects=hops)
        except (httpx.HTTPError, httpx.InvalidURL, _GaveUp, ValueError) as problem:
            return Outcome(url, LinkCheck.Status.ERROR, error=_describe(problem), redirects=hops)
        return _classify(url, http_status, hops)

    async def _follow(self, url: str, hops: list[list]) -> int:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            response = await self._ask(current)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT or not location:
                return response.status_code
            current = urljoin(current, location)
            hops.append([response.status_code, current])
        raise _GaveUp(f"Mehr als {MAX_REDIRECTS} Umleitungen")

    async def _ask(self, url: str) -> httpx.Response:
        response = await self._send("HEAD", url)
        if response.status_code >= 400:
            response = await self._send("GET", url)
        return response

    async def _send(self, method: str, url: str) -> httpx.Response:
        if urlsplit(url).scheme not in ("http", "https"):
            raise _GaveUp("Keine Web-Adresse (http oder https)")
        async with self.hosts[urlsplit(url).netloc.lower()], self.slots:
            response = await self.client.send(self.client.build_request(method, url), stream=True)
            await response.aclose()  # the status is enough; never download the body
            return response


def _classify(url: str, http_status: int, hops: list[list]) -> Outcome:
    final = hops[-1][1] if hops else url
    outcome = Outcome(url, LinkCheck.Status.OK, http_status, final_url=final, redirects=hops)
    if http_status >= 400:
        outcome.status = LinkCheck.Status.BROKEN
        outcome.error = f"Der Server antwortet mit Fehler {http_status}"
    elif _lands_on_home_page(url, final):
        # A deep link sent to the start page: the page it named is gone.
        outcome.status = LinkCheck.Status.BROKEN
        outcome.error = "Leitet auf die Startseite um: die Seite gibt es wohl nicht mehr"
    elif hops:
        outcome.status = LinkCheck.Status.REDIRECT
        outcome.proposed_url = _moved_to(hops)
    return outcome


def _moved_to(hops: list[list]) -> str:
    """Where the leading permanent redirects point (temporary ones say: keep the old one)."""
    target = ""
    for status, location in hops:
        if status not in PERMANENT:
            break
        target = location
    return target


def _lands_on_home_page(url: str, final: str) -> bool:
    return urlsplit(url).path.strip("/") != "" and urlsplit(final).path.strip("/") == ""


def _describe(problem: Exception) -> str:
    cause = _root_cause(problem)
    detail = str(cause) or type(cause).__name__
    if isinstance(cause, ConnectionRefusedError):
        return f"Verbindung abgelehnt ({detail})"
    if isinstance(cause, ssl.SSLError):
        return f"Sicherer Verbindungsaufbau gescheitert, etwa am Zertifikat ({detail})"
    if isinstance(cause, socket.gaierror):
        return f"Server nicht gefunden ({detail})"
    if isinstance(problem, httpx.ConnectError):
        return f"Keine Verbindung ({detail})"
    if isinstance(problem, httpx.UnsupportedProtocol | httpx.InvalidURL | ValueError):
        return f"Ungültige Adresse ({detail})"
    if isinstance(problem, httpx.HTTPError):
        return f"Fehler in der Verbindung ({detail})"
    return detail


def _root_cause(problem: BaseException) -> BaseException:
    """httpx wraps the socket's error (refused, unknown name, certificate) in its own."""
    while problem.__cause__ or problem.__context__:
        problem = problem.__cause__ or problem.__context__
    return problem


def check_urls(urls: list[str], limits: Limits | None = None) -> list[Outcome]:
    """Check each address once (duplicates are asked once); in the order given."""
    work = _Checker(limits or Limits()).run(list(dict.fromkeys(urls)))
    if not _loop_running():
        return asyncio.run(work)
    # Called where an event loop already runs in this thread: a loop of its own elsewhere.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, work).result()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def record(outcomes: list[Outcome], *, keep_only_these: bool = False) -> None:
    """Store each outcome as its address's last check. `failing_since` keeps the start of a run
    of failures. With `keep_only_these`, checks of addresses not among them are dropped
    (nobody cites them any more)."""
    now = timezone.now()
    urls = [outcome.url for outcome in outcomes]
    earlier = dict(
        LinkCheck.objects.filter(url__in=urls, failing_since__isnull=False).values_list(
            "url", "failing_since"
        )
    )
    rows = [
        LinkCheck(
            url=outcome.url,
            status=outcome.status,
            http_status=outcome.http_status,
            final_url=outcome.final_url,
            proposed_url=outcome.proposed_url,
            redirects=outcome.redirects,
            error=outcome.error,
            checked_at=now,
            failing_since=earlier.get(outcome.url, now) if outcome.status in FAILED else None,
        )
        for outcome in outcomes
    ]
    updated = [f.name for f in LinkCheck._meta.concrete_fields if f.name not in ("id", "url")]
    with transaction.atomic():
        LinkCheck.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["url"],
            update_fields=updated,
            batch_size=500,
        )
        if keep_only_these:
            LinkCheck.objects.exclude(url__in=urls).delete()
