"""A page cache for anonymous visitors, with ETag, Last-Modified and 304 answers.

Public pages look the same for everyone who is not signed in, so a page built once is kept (in
the default cache: local memory, or Redis with ``REDIS_URL``) under its address, the catalogue
version and the day, and handed out again until any of them changes. The catalogue version moves
with every write to a table the pages show (core.models.CatalogueVersion), in the writing
transaction, so an edit is visible on the next request; the day is part of the key because a
programme's status ("Antrag möglich", "beendet") follows the calendar.

The address in the key is the one the view understands, not the one sent: a view names its
query parameters (``query_parameters``), sees only those, sorted, without empty values, and the
key is made of them. ``?x=<random>`` is then the same page and the same entry, and a page never
depends on a parameter its key leaves out. A view that names none is kept only when asked
without a query string. A list whose form sends every field, filled in or not, asks to be
``tidy``: an address with empty values is redirected (before any lookup) to the address without
them, so what people share and bookmark stays short. Headers the response varies on (``Vary``)
are part of the key, as in Django's ``learn_cache_key``: the address's entry says which headers,
the page sits under their values.

What is never cached: requests that carry a session cookie (editors always see the database),
anything but GET and HEAD, the admin, responses other than 200, streamed downloads, responses
that set a cookie, vary by cookie or on ``*``, say ``private``/``no-store``, or are larger than
``PAGE_CACHE_MAX_BYTES`` (served, not kept: the memory cache counts entries, not bytes).

Every cacheable page gets a strong ETag (a hash of its body) and the catalogue's last change as
Last-Modified; a matching ``If-None-Match`` or ``If-Modified-Since`` answers 304. Browsers are
told to ask again each time (``max-age=0``, a 304 costs next to nothing); shared caches such as
a CDN may keep a page for ``PAGE_CACHE_SHARED_SECONDS``.
"""

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_conditional_response, patch_cache_control
from django.utils.encoding import escape_uri_path
from django.utils.http import http_date, parse_http_date

from core.cache import current_version, version_of_request

NEVER_STORED = ("private", "no-store", "no-cache")
VARY = "vary"  # first item of an address's entry that names headers instead of holding a page


@dataclass(frozen=True)
class Parameters:
    """The query parameters a view reads. Empty values mean "not given", except for `flags`,
    whose mere presence counts (``?script``). With `tidy`, an address that carries empty
    values is answered with a redirect to the same address without them."""

    names: frozenset[str]
    flags: frozenset[str] = frozenset()
    tidy: bool = False

    def normalise(self, query: QueryDict) -> QueryDict:
        """Only these parameters, sorted by name, each one's values sorted and without
        repeats, empty values left out: every spelling of the same request is one address."""
        kept = QueryDict(mutable=True)
        for name in sorted((self.names | self.flags) & query.keys()):
            values = sorted(set(query.getlist(name)))
            if name not in self.flags:
                values = [value for value in values if value]
            if values:
                kept.setlist(name, values)
        kept._mutable = False
        return kept

    def without_empty(self, query_string: str) -> str | None:
        """The query string without its empty (or blank) values, the rest as sent and in its
        order; None if nothing was empty. A form sends every field, filled in or not."""
        pairs = query_string.split("&")
        kept = [pair for pair in pairs if self._filled(pair)]
        return None if len(kept) == len(pairs) or not query_string else "&".join(kept)

    def _filled(self, pair: str) -> bool:
        name, _, value = pair.partition("=")
        name = unquote_plus(name)
        return bool(name) and (name in self.flags or bool(unquote_plus(value).strip()))


def query_parameters(*names: str, flags: tuple[str, ...] = (), tidy: bool = False):
    """Decorator: the query parameters this view reads (e.g. its FilterSet's and ``page``).
    The page cache hands the view only these, normalised, and keys the page by them. `tidy`
    (for pages with a form): empty values are redirected away, so shared links stay short."""
    parameters = Parameters(frozenset(names), frozenset(flags), tidy)

    def mark(view):
        view.query_parameters = parameters
        return view

    return mark


def not_kept(view):
    """Marks a view the page cache never keeps, so it does not even look up the catalogue
    version for it: streamed answers (downloads, calendars) and editors' previews."""
    view.page_cache = False
    return view


streamed = not_kept  # answers streamed as they are made


@dataclass(frozen=True)
class ViewPolicy:
    cached: bool
    parameters: Parameters | None  # None: the view did not say which it reads


_UNKNOWN = ViewPolicy(cached=False, parameters=None)


@functools.lru_cache(maxsize=4096)
def _policy(path: str) -> ViewPolicy:
    """Whether the view at this path may be cached and which parameters it reads (an unknown
    path: not cached)."""
    try:
        view = resolve(path).func
    except Resolver404:
        return _UNKNOWN
    return ViewPolicy(getattr(view, "page_cache", True), getattr(view, "query_parameters", None))


@receiver(setting_changed)
def _forget_views(setting, **kwargs):
    if setting == "ROOT_URLCONF":  # tests that swap the URLs
        _policy.cache_clear()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.shared_seconds = settings.PAGE_CACHE_SHARED_SECONDS
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        policy = _policy(request.path_info) if request.method in ("GET", "HEAD") else _UNKNOWN
        if policy.parameters is not None and policy.parameters.tidy:
            tidied = policy.parameters.without_empty(request.META.get("QUERY_STRING", ""))
            if tidied is not None:
                path = escape_uri_path(request.path)
                return HttpResponseRedirect(f"{path}?{tidied}" if tidied else path)
        # The benchmark's server (BENCH_FLOOR) measures uncached pages with ?bench=<n>.
        busted = settings.BENCH_FLOOR and "bench" in request.GET
        if policy.parameters is not None:
            query = policy.parameters.normalise(request.GET)
            request.GET = query  # for everyone, signed in or not: one behaviour per address
            request.META["QUERY_STRING"] = query.urlencode()
        if busted or not self.applies_to(request, policy):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # Signed in: nobody between us and the editor may keep this page.
                patch_cache_control(response, private=True)
            return response

        version = current_version()
        today = timezone.localdate()
        key = self.key(request, version.number, today)
        stored = cache.get(key)
        if _is_vary(stored):
            stored = cache.get(varied_key(key, stored[1], request))
        if _is_page(stored):
            response = self.rebuild(stored)
        else:
            with version_of_request(version):
                response = self.get_response(request)
            if not self.cacheable(response):
                return response
            self.describe(response, version.changed, today)
            if request.method == "GET" and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES:
                # A HEAD response may come without its body; a large page is not kept.
                self.store(key, request, response)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date(response["Last-Modified"]),
            response=response,
        )

    def applies_to(self, request, policy: ViewPolicy) -> bool:
        return (
            self.seconds > 0
            and policy.cached
            and (policy.parameters is not None or not request.META.get("QUERY_STRING"))
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.admin_prefix)
        )

    @staticmethod
    def key(request, version: int, today) -> str:
        """Scheme, host, path and the query string: the normalised one for a view that names
        its parameters, otherwise empty (applies_to)."""
        address = f"{request.scheme}://{request.get_host()}{request.path}"
        query = request.META.get("QUERY_STRING", "")
        digest = hashlib.blake2b(f"{address}?{query}".encode(), digest_size=20).hexdigest()
        return f"page:{version}:{today.isoformat()}:{digest}"

    def store(self, key: str, request, response) -> None:
        """Under the address, or, if the page varies on headers, their names under the address
        and the page under their values."""
        headers = vary_headers(response)
        if headers:
            cache.set(key, (VARY, headers), self.seconds)
            key = varied_key(key, headers, request)
        cache.set(key, self.freeze(response), self.seconds)

    @staticmethod
    def cacheable(response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if {"cookie", "*"} & set(vary_headers(response)):
            return False
        control = response.get("Cache-Control", "").lower()
        return not any(word in control for word in NEVER_STORED)

    def describe(self, response, changed: datetime, today) -> None:
        """ETag, Last-Modified and Cache-Control of a page that may be kept."""
        digest = hashlib.blake2b(response.content, digest_size=16).hexdigest()
        response["ETag"] = f'"{digest}"'
        midnight = timezone.make_aware(datetime.combine(today, time.min))
        response["Last-Modified"] = http_date(max(changed, midnight).timestamp())
        if "Cache-Control" not in response:
            response["Cache-Control"] = (
                f"public, max-age=0, s-maxage={self.shared_seconds}, "
                f"stale-while-revalidate={self.shared_seconds}"
            )

    @staticmethod
    def freeze(response) -> tuple:
        return response.status_code, list(response.headers.items()), response.content

    @staticmethod
    def rebuild(stored: tuple) -> HttpResponse:
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response


def vary_headers(response) -> tuple[str, ...]:
    """The request headers a response varies on, lower case and sorted."""
    if not response.has_header("Vary"):
        return ()
    return tuple(sorted({h.strip().lower() for h in cc_delim_re.split(response["Vary"]) if h}))


def varied_key(key: str, headers: tuple[str, ...], request) -> str:
    """The address's key with the request's values of the varied headers."""
    digest = hashlib.blake2b(key.encode(), digest_size=16)
    for header in headers:
        value = request.headers.get(header, "")
        digest.update(b"\0" + value.encode("utf-8", "surrogatepass"))
    return f"{key}:{digest.hexdigest()}"


def _is_vary(stored) -> bool:
    return isinstance(stored, tuple) and len(stored) == 2 and stored[0] == VARY


def _is_page(stored) -> bool:
    return isinstance(stored, tuple) and len(stored) == 3 and isinstance(stored[0], int)
