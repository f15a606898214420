"""The pages the web benchmark measures, found in its database, and their queries per request
counted in this process with the test client."""

import time
from dataclasses import dataclass, field
from urllib.parse import quote

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
