"""Bounds on live exports: a row limit and a cap on how many are made at once.

An export is made while the client waits and occupies a worker for as long as it takes (an
XLSX of 100,000 rows: half a minute, the worker timeout). So a filtered list with more than
EXPORT_MAX_ROWS programmes is not made live: the answer (400) says so and points to the full
dumps, which hold every published programme (opendata.dumps). And at most
EXPORT_CONCURRENCY_PROCESS live exports run in one process (a semaphore, for threaded workers)
and EXPORT_CONCURRENCY_TOTAL in all processes and app servers together (PostgreSQL advisory
locks, one per slot, held by the request's connection); the next one gets 503 with Retry-After
instead of taking the workers the pages need.
"""

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.formats import number_format

# Advisory lock keys (two int4): a namespace per purpose, the slot or dump format inside it.
LIVE_SLOTS = 0x4B4B0001
DUMP_BUILDS = 0x4B4B0002
RETRY_AFTER_SECONDS = 10

_semaphores: dict[int, threading.BoundedSemaphore] = {}
_semaphores_lock = threading.Lock()


@contextmanager
def advisory_lock(namespace: int, key: int) -> Iterator[bool]:
    """Try a session-level advisory lock on this thread's connection; yields whether it is held.
    Session-level, because exports run outside a transaction (server-side cursors WITH HOLD)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])


def lock_is_held(namespace: int, key: int) -> bool:
    """Whether any session holds this advisory lock (a look, not an attempt)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 2)",
            [namespace, key],
        )
        return cursor.fetchone()[0]


def too_many_rows(programmes) -> bool:
    """More than EXPORT_MAX_ROWS programmes? Counts at most one more, so the check stays cheap."""
    limit = settings.EXPORT_MAX_ROWS
    return programmes.order_by().values("pk")[: limit + 1].count() > limit


def dump_links(request) -> dict[str, str]:
    names = {"csv": "export-csv", "xlsx": "export-xlsx", "json": "export-json"}
    return {
        kind: request.build_absolute_uri(reverse(f"opendata:{name}"))
        for kind, name in names.items()
    }


def too_many_rows_response(request) -> JsonResponse:
    """400: the request is answerable, but not live; narrower filters or the full dump are."""
    limit = settings.EXPORT_MAX_ROWS
    links = dump_links(request)
    response = JsonResponse(
        {
            "detail": (
                f"Die gefilterte Liste umfasst mehr als {number_format(limit, force_grouping=True)}"
                " Programme. So große Listen werden nicht einzeln erstellt: Bitte die Filter "
                "eingrenzen oder die Gesamtdatei mit allen veröffentlichten Programmen laden: "
                f"{links['csv']} (auch als XLSX und JSON)."
            ),
            "limit": limit,
            "full_dump": links,
        },
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Link"] = ", ".join(f'<{url}>; rel="alternate"' for url in links.values())
    return response


def busy_response(detail: str, retry_after: int = RETRY_AFTER_SECONDS) -> JsonResponse:
    response = JsonResponse(
        {"detail": detail, "retry_after": retry_after},
        status=503,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _semaphore() -> threading.BoundedSemaphore:
    size = max(settings.EXPORT_CONCURRENCY_PROCESS, 1)
    with _semaphores_lock:
        if size not in _semaphores:
            _semaphores[size] = threading.BoundedSemaphore(size)
        return _semaphores[size]


_thread = threading.local()


def acquire_slot() -> Callable[[], None] | None:
    """A slot for one live export, or None when all are taken. Returns its release (safe to call
    more than once).

    A thread serves one request at a time, so a slot this thread still holds belongs to a
    response the server is done with but that was never closed (a test client that did not
    read it): it is given back first rather than kept for good."""
    stale = getattr(_thread, "release", None)
    if stale is not None:
        stale()
    semaphore = _semaphore()
    if not semaphore.acquire(blocking=False):
        return None
    total = settings.EXPORT_CONCURRENCY_TOTAL
    slot = None
    if total > 0:
        try:
            with connection.cursor() as cursor:
                # The first free slot; LIMIT 1 stops at it, so no other slot is taken.
                cursor.execute(
                    "SELECT s FROM generate_series(0, %s) AS s"
                    " WHERE pg_try_advisory_lock(%s, s) LIMIT 1",
                    [total - 1, LIVE_SLOTS],
                )
                row = cursor.fetchone()
        except BaseException:
            semaphore.release()
            raise
        if row is None:
            semaphore.release()
            return None
        slot = row[0]
    # The unlock goes to the very session that holds the lock (a closed one has let go).
    session = connection.connection if slot is not None else None
    held = {"semaphore": True, "lock": slot is not None}  # each given back once

    def give_back_semaphore() -> None:
        """Without the database: safe where the garbage collector calls it, which may be in
        the middle of another statement on this very connection."""
        if held.pop("semaphore", False):
            semaphore.release()

    def release() -> None:
        try:
            if held.pop("lock", False) and not session.closed:
                with suppress(Exception):
                    session.execute("SELECT pg_advisory_unlock(%s, %s)", [LIVE_SLOTS, slot])
        finally:
            give_back_semaphore()

    release.give_back_semaphore = give_back_semaphore

    _thread.release = release
    return release


def live_export(
    request, programmes, respond: Callable[[], HttpResponse], busy_detail: str | None = None
) -> HttpResponse:
    """The export `respond()` makes, unless the list is longer than EXPORT_MAX_ROWS (400) or
    every slot is taken (503). The slot is held until the response is closed, that is until
    its last byte is sent (or the client went away)."""
    if too_many_rows(programmes):
        return too_many_rows_response(request)
    release = acquire_slot()
    if release is None:
        return busy_response(
            busy_detail
            or "Gerade werden zu viele Dateien gleichzeitig erstellt. Bitte in "
            f"{RETRY_AFTER_SECONDS} Sekunden erneut versuchen."
        )
    try:
        response = respond()
    except BaseException:
        release()
        raise
    # Django calls these when the server has sent the response. For a response dropped unread
    # (a test client, an aborted request) the finaliser gives back the semaphore only: it may
    # run inside another statement on this connection, so the slot's advisory lock is given
    # back by this thread's next acquire_slot, or goes with the session.
    response._resource_closers.append(release)
    weakref.finalize(response, release.give_back_semaphore)
    return response
