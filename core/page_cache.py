"""A per-URL page cache for anonymous visitors, with ETag, Last-Modified and 304 answers.

Public pages look the same for everyone who is not signed in, so a page built once is kept (in
the default cache: local memory, or Redis with ``REDIS_URL``) under its address, the catalogue
version and the day, and handed out again until any of them changes. The catalogue version moves
with every write to a table the pages show (core.models.CatalogueVersion), in the writing
transaction, so an edit is visible on the next request; the day is part of the key because a
programme's status ("Antrag möglich", "beendet") follows the calendar.

What is never cached: requests that carry a session cookie (editors always see the database),
anything but GET and HEAD, the admin, responses other than 200, streamed downloads, and
responses that set a cookie, vary by cookie or say ``private``/``no-store``.

Every cacheable page gets a strong ETag (a hash of its body) and the catalogue's last change as
Last-Modified; a matching ``If-None-Match`` or ``If-Modified-Since`` answers 304. Browsers are
told to ask again each time (``max-age=0``, a 304 costs next to nothing); shared caches such as
a CDN may keep a page for ``PAGE_CACHE_SHARED_SECONDS``.
"""

import functools
import hashlib
from datetime import datetime, time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date

from core.cache import current_version, version_of_request

NEVER_STORED = ("private", "no-store", "no-cache")


def streamed(view):
    """Marks a view whose answers are streamed as they are made (downloads, calendars): the page
    cache never keeps them, so it does not even look up the catalogue version for them."""
    view.page_cache = False
    return view


@functools.lru_cache(maxsize=4096)
def _cached_view(path: str) -> bool:
    """Whether the view at this path may be cached (an unknown path: no)."""
    try:
        view = resolve(path).func
    except Resolver404:
        return False
    return getattr(view, "page_cache", True)


@receiver(setting_changed)
def _forget_views(setting, **kwargs):
    if setting == "ROOT_URLCONF":  # tests that swap the URLs
        _cached_view.cache_clear()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.PAGE_CACHE_SECONDS
        self.shared_seconds = settings.PAGE_CACHE_SHARED_SECONDS
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        if not self.applies_to(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # Signed in: nobody between us and the editor may keep this page.
                patch_cache_control(response, private=True)
            return response

        version = current_version()
        today = timezone.localdate()
        key = self.key(request, version.number, today)
        stored = cache.get(key)
        if stored is not None:
            response = self.rebuild(stored)
        else:
            with version_of_request(version):
                response = self.get_response(request)
            if not self.cacheable(response):
                return response
            self.describe(response, version.changed, today)
            if request.method == "GET":  # a HEAD response may come without its body
                cache.set(key, self.freeze(response), self.seconds)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date(response["Last-Modified"]),
            response=response,
        )

    def applies_to(self, request) -> bool:
        if not (
            self.seconds > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.admin_prefix)
        ):
            return False
        return _cached_view(request.path_info)

    @staticmethod
    def key(request, version: int, today) -> str:
        address = request.build_absolute_uri().encode()
        return f"page:{version}:{today.isoformat()}:{hashlib.blake2b(address).hexdigest()}"

    @staticmethod
    def cacheable(response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "cookie" in response.get("Vary", "").lower():
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
