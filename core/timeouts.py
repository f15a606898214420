"""A statement timeout for web requests, so a slow query cannot hold a worker and its
connection until gunicorn kills it.

Public pages run with DB_STATEMENT_TIMEOUT_MS (a few seconds); the admin and streamed downloads
(views marked with ``core.page_cache.streamed``: exports, calendars) with the longer
DB_STATEMENT_TIMEOUT_LONG_MS. The limit is set on the connection from within requests only:
management commands and migrations never pass through here and run without one.

A persistent connection keeps its setting, so it is sent only when a connection is opened or
a request needs the other limit: public pages pay no query for it. A query that is cut off
answers 503 with a page that says so.
"""

import logging
from contextvars import ContextVar

from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.shortcuts import render

logger = logging.getLogger("core.timeouts")

QUERY_CANCELED = "57014"  # SQLSTATE of a statement timeout (and of a cancelled query)
RETRY_AFTER_SECONDS = 30

_wanted: ContextVar[int | None] = ContextVar("statement_timeout", default=None)


def _apply(db, milliseconds: int) -> None:
    """Set the limit on an open connection unless it already has it. Sent on the driver's own
    connection, so it is not counted among a page's queries."""
    if db.connection is None or db.vendor != "postgresql":
        return  # opened later: connection_created sets it then
    if getattr(db, "statement_timeout_ms", None) == milliseconds and not db.in_atomic_block:
        return
    try:
        db.connection.execute(f"SET statement_timeout = {int(milliseconds)}")
    except Exception:  # a dead connection: Django's health check replaces it, and we set it then
        db.statement_timeout_ms = None
        return
    # Inside a transaction (tests) a rollback undoes SET: then the state is unknown.
    db.statement_timeout_ms = None if db.in_atomic_block else milliseconds


@receiver(connection_created)
def _on_connect(sender, connection, **kwargs):
    connection.statement_timeout_ms = None
    milliseconds = _wanted.get()
    if milliseconds is not None:  # opened during a request
        _apply(connection, milliseconds)


def is_statement_timeout(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError) and (
        getattr(exception.__cause__, "sqlstate", None) == QUERY_CANCELED
    )


def query_took_too_long(request):
    """The page for a cancelled query; its template touches no database (the transaction may
    be aborted)."""
    response = render(request, "timeout.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL

    def __call__(self, request):
        long = request.path.startswith(self.admin_prefix)
        token = _wanted.set(self._limit(long))
        try:
            _apply(connection, _wanted.get())
            return self.get_response(request)
        finally:
            _wanted.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "page_cache", True) is False:  # streamed: exports, calendars
            _wanted.set(self._limit(True))
            _apply(connection, _wanted.get())

    def process_exception(self, request, exception):
        if settings.DEBUG or not is_statement_timeout(exception):
            return None
        logger.warning(
            "Abfrage nach %s ms abgebrochen",
            _wanted.get(),
            extra={"path": request.path, "status": 503},
        )
        return query_took_too_long(request)

    @staticmethod
    def _limit(long: bool) -> int:
        return settings.DB_STATEMENT_TIMEOUT_LONG_MS if long else settings.DB_STATEMENT_TIMEOUT_MS
