"""While PostgreSQL is unreachable, visitors get a friendly 503 with Retry-After, not a 500.

Nothing here needs a restart to recover: with CONN_HEALTH_CHECKS the first request after the
outage finds the broken connection, drops it and opens a new one.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger("core.outage")

RETRY_AFTER_SECONDS = 30


def is_database_outage(exception: BaseException | None) -> bool:
    """A lost, refused or overloaded database connection, as opposed to a failing query."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    sqlstate = getattr(exception.__cause__, "sqlstate", None)
    # No SQLSTATE: the client library failed before the server answered (refused, timed out,
    # connection lost). Class 08 is "connection exception", class 53 "insufficient resources"
    # (too many connections); 57P01-03 are shutdown and "cannot connect now" while the server
    # starts. Statement timeouts, deadlocks and lock errors keep their 500: the server is there.
    return (
        sqlstate is None
        or sqlstate.startswith(("08", "53"))
        or sqlstate in {"57P01", "57P02", "57P03"}
    )


def log_outage(request, exception: BaseException) -> None:
    logger.warning(
        "Datenbank nicht erreichbar (%s)",
        type(exception.__cause__ or exception).__name__,
        extra={"path": request.path, "status": 503},
    )


def service_unavailable(request):
    """The 503 page in the site's design; its template touches no database."""
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """A view that cannot reach PostgreSQL answers 503 instead of 500.

    Exceptions raised outside views (another middleware, saving a session) reach
    ``handler500`` (portal.views.server_error), which makes the same distinction.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG or not is_database_outage(exception):
            return None
        log_outage(request, exception)
        return service_unavailable(request)
