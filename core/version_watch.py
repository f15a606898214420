"""The catalogue version as this process knows it, without a query per request.

The row (core.models.CatalogueVersion) is the only truth. A NOTIFY on "catalogue_version" is a
hint to read the row again, never a number to adopt: any database role may send one, with any
payload, and a restored backup may legitimately lower the number. The row is also read every
``CATALOGUE_VERSION_REFRESH_SECONDS`` (at most 25) without a hint, on the LISTEN connection
itself: that finds changes whose notification was lost and proves the connection alive. TCP
keepalives and a user timeout bound how long a half-open socket can hide that it is dead. So a
committed change reaches every worker within the interval plus that timeout, i.e. within 30 s.
"""

import logging
import selectors
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection

logger = logging.getLogger("core.cache")


@dataclass(frozen=True)
class Version:
    number: int
    changed: datetime


READ_ROW = "SELECT number, changed FROM core_catalogueversion WHERE id = 1"

# The promise is "within 30 s": interval + the 5 s user timeout below, whatever the setting.
LONGEST_REFRESH_SECONDS = 25

# libpq options of the LISTEN connection (ignored on Unix sockets, where no peer can vanish).
# An idle socket is probed after 10 s and given up after 3 unanswered probes 5 s apart; a query
# whose data stays unacknowledged for 5 s fails instead of waiting for the kernel's ~15 min.
LIVENESS = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 5000,  # milliseconds
    "application_name": "kommunalkompass catalogue watch",
}


class VersionWatch:
    """One more connection per process LISTENs on "catalogue_version"; the database triggers
    NOTIFY when a writing transaction commits (core migration 0001).

    ``current()`` is a non-blocking look at that connection's socket; the row is read after
    (re)connecting (after LISTEN, so no change slips through in between), after any
    notification and when the interval has passed. Any failure closes the connection and
    answers None: the caller reads the row on its own connection until the retry.
    ``clock`` and ``refresh_seconds`` are injectable so tests need not wait.
    """

    channel = "catalogue_version"

    retry_seconds = 10.0

    def __init__(
        self,
        refresh_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.connection = None
        self.selector: selectors.BaseSelector | None = None
        self.version: Version | None = None
        self.read_at = 0.0  # when the row is due to be read again
        self.retry_at = 0.0
        # Threads (GUNICORN_THREADS) share the watch: one of them looks, the others use what it
        # last saw rather than wait behind a slow read.
        self.lock = threading.Lock()

    def current(self) -> Version | None:
        if not self.lock.acquire(blocking=False):
            return self.version
        try:
            return self._look()
        finally:
            self.lock.release()

    def _look(self) -> Version | None:
        now = self.clock()
        if self.connection is None and now < self.retry_at:
            return None  # failed a moment ago: do not try on every request
        try:
            if self.connection is None or self.connection.closed:
                self._connect()
                self._read(now)
            elif self._hinted() or now >= self.read_at:
                self._read(now)
            return self.version
        except Exception as error:  # never fail a page: the caller asks the row
            # The type only: connection errors name host and port, which logs leave out.
            logger.warning("Katalogstand nicht über LISTEN lesbar (%s)", type(error).__name__)
            self.close()
            self.retry_at = now + self.retry_seconds
            return None

    def _hinted(self) -> bool:
        """Whether a notification arrived since the last look; payloads are not read.

        Anything else still waiting on the socket counts too: a killed backend's last words
        leave no notification but the end of the stream, which the read then runs into, so a
        terminated connection is noticed on the next look rather than the next interval.
        """
        hinted = False
        for _notice in self.connection.notifies(timeout=0):
            hinted = True  # drain them all: one read answers every one of them
        return hinted or bool(self.selector.select(timeout=0))

    def _read(self, now: float) -> None:
        row = self.connection.execute(READ_ROW).fetchone()
        self.version = Version(*row) if row else None
        interval = self.refresh_seconds
        if interval is None:
            interval = settings.CATALOGUE_VERSION_REFRESH_SECONDS
        self.read_at = now + min(interval, LONGEST_REFRESH_SECONDS)

    def _connect(self) -> None:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.connection = psycopg.connect(**{**params, **LIVENESS}, autocommit=True)
        # A server-side wait (a TRUNCATE's lock on the row) cannot hold a request either.
        self.connection.execute("SET statement_timeout = '5s'")
        self.connection.execute(f"LISTEN {self.channel}")
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.connection.fileno(), selectors.EVENT_READ)

    def close(self) -> None:
        if self.selector is not None:
            self.selector.close()
        if self.connection is not None:
            with suppress(Exception):
                self.connection.close()
        self.connection, self.selector, self.version = None, None, None
