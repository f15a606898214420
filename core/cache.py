"""Caching that never serves yesterday's catalogue and never fails a page.

``catalogue_version()``
    The number and time of the catalogue's last change, read from the one row that database
    triggers move on every write (core.models.CatalogueVersion). Everything cached for public
    pages is keyed by it, so an edit is visible on the very next request, in every process and
    on every app server, without deleting anything.
``current_version()``
    The same without a query per request: as this process's watch last read the row
    (core.version_watch), re-read on every NOTIFY and at least every few seconds.
``per_version(name)``
    Memoises a function in this process until the catalogue changes or the day does: for
    derived figures (facet bitsets, counts) that are the same for every request in between.
``FailOpenRedisCache``
    The cache backend when ``REDIS_URL`` is set. While Redis cannot be reached, reads miss and
    writes are dropped, so pages are built uncached instead of failing.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.utils import timezone

from core.version_watch import Version, VersionWatch

logger = logging.getLogger("core.cache")


_request_version: ContextVar[Version | None] = ContextVar("catalogue_version", default=None)


def catalogue_version() -> Version:
    """One small query, or none while a read-only request already knows the version."""
    known = _request_version.get()
    if known is not None:
        return known
    from core.models import CatalogueVersion

    row = CatalogueVersion.objects.filter(pk=1).values_list("number", "changed").first()
    if row is None:  # an emptied table (a flushed test database): a number no cache has seen
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('core_catalogue_version_seq'), clock_timestamp()")
            row = cursor.fetchone()
    return Version(*row)


_watch = VersionWatch()


def current_version() -> Version:
    """The version for a request: as heard by this process's watch, or read from the row
    (inside a transaction, where only this connection sees its own writes, as in tests; or
    when the watch is switched off or cannot listen)."""
    if settings.CATALOGUE_VERSION_LISTEN and not connection.in_atomic_block:
        heard = _watch.current()
        if heard is not None:
            return heard
    return catalogue_version()


@contextmanager
def version_of_request(version: Version):
    """Within an anonymous GET (which writes nothing), every part asks the version only once."""
    token = _request_version.set(version)
    try:
        yield
    finally:
        _request_version.reset(token)


_memo: dict[str, tuple[tuple[int, date], object]] = {}


def per_version(name: str):
    """Decorator: compute once per catalogue version and day, in this process.

    The function takes only ``today`` (the date its result is for). Only the latest result per
    name is kept, so memory does not grow with the number of versions. With several threads
    per process (GUNICORN_THREADS), one thread computes and the others wait for its result
    instead of all building the same index at once. A result that callers add to must be
    thread-safe itself (`Recent`).
    """
    lock = threading.Lock()

    def decorate(compute: Callable[[date], object]):
        @functools.wraps(compute)
        def cached(today: date | None = None):
            today = today or timezone.localdate()
            key = (catalogue_version().number, today)
            known = _memo.get(name)
            if known is not None and known[0] == key:
                return known[1]
            with lock:
                known = _memo.get(name)  # computed while this thread waited
                if known is not None and known[0] == key:
                    return known[1]
                value = compute(today)
                _memo[name] = (key, value)
                return value

        return cached

    return decorate


class Recent:
    """The latest `size` results of a lookup (the oldest go first), shared by threads.

    For per-version memos that requests add to, such as recent searches: a plain dict would be
    changed by one thread while another evicts from it. A key is computed by one thread at a
    time; different keys are computed side by side.
    """

    def __init__(self, size: int):
        self.size = size
        self._items: dict = {}
        self._building: dict = {}  # key → lock held by the thread computing it
        self._lock = threading.Lock()

    def get(self, key, compute: Callable[[], object]):
        with self._lock:
            if key in self._items:
                return self._items[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = compute()
                with self._lock:
                    self._items[key] = value
                    while len(self._items) > self.size:
                        del self._items[next(iter(self._items))]
            finally:
                with self._lock:
                    self._building.pop(key, None)
            return value

    def __len__(self) -> int:
        return len(self._items)


def forget_memos() -> None:
    """Drop every per-version result of this process (tests, after a rolled-back transaction)."""
    _memo.clear()


# --- Redis that fails open ----------------------------------------------------------------------

try:
    from redis.exceptions import RedisError
except ImportError:  # redis-py is only needed when REDIS_URL is set
    RedisError = OSError

_UNAVAILABLE = (RedisError, OSError)
_WARN_EVERY_SECONDS = 60.0
_last_warning = 0.0
BREAKER_SECONDS = 10.0


class Breaker:
    """After a failure the server is skipped for `seconds`; then one call tries it again.

    An unreachable Redis that drops packets costs every call its whole socket timeout; without
    the breaker each cache miss of every request paid it (~0.5 s).
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.skip_until: float | None = None  # None: the server is used

    def allows(self) -> bool:
        until = self.skip_until
        if until is None:
            return True
        now = time.monotonic()
        if now < until:
            return False
        self.skip_until = now + self.seconds  # this call tries; the others keep skipping
        return True

    def failed(self) -> None:
        self.skip_until = time.monotonic() + self.seconds

    def succeeded(self) -> None:
        if self.skip_until is not None:
            self.skip_until = None


# One per server and process: Django makes a cache object per thread, the outage is shared.
_breakers: dict[str, Breaker] = {}


def _unavailable(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning(
            "Cache nicht erreichbar, Seiten werden ungecacht ausgeliefert (%s)",
            type(error).__name__,
        )


def _fail_open(fallback):
    """Wrap a cache method: an unreachable server, or one skipped by the breaker, gives
    `fallback(*args, **kwargs)`."""

    def decorate(method):
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            if not self.breaker.allows():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except _UNAVAILABLE as error:
                self.breaker.failed()
                _unavailable(error)
                return fallback(*args, **kwargs)
            self.breaker.succeeded()
            return result

        return wrapped

    return decorate


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache; while Redis is down, a read is a miss and a write a no-op, and
    after a failure Redis is not asked for ``OPTIONS["breaker_seconds"]`` (BREAKER_SECONDS)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        seconds = float(options.pop("breaker_seconds", BREAKER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = _breakers.setdefault(str(server), Breaker(seconds))

    get = _fail_open(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _fail_open(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _fail_open(lambda *args, **kwargs: False)(RedisCache.has_key)
    set = _fail_open(lambda *args, **kwargs: None)(RedisCache.set)
    add = _fail_open(lambda *args, **kwargs: False)(RedisCache.add)
    touch = _fail_open(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _fail_open(lambda *args, **kwargs: False)(RedisCache.delete)
    set_many = _fail_open(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    delete_many = _fail_open(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _fail_open(lambda *args, **kwargs: None)(RedisCache.clear)
