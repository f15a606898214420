"""Probes for load balancers and orchestrators, answered before any other middleware.

- ``/healthz``: the process is alive. Touches nothing else, so a database outage never makes
  the balancer kill healthy app servers.
- ``/readyz``: the process can serve: PostgreSQL answers, every migration is applied, and the
  cache answers. 503 when the database or the migrations fail.

A Redis outage is reported ("cache": "unavailable") but keeps the server ready: pages are then
served uncached, and taking every app server out of rotation because the shared cache is down
would turn a slowdown into an outage.

Running first means the probes need no valid Host header (balancers probe by IP), are never
redirected to HTTPS, and never touch sessions or the page cache.
"""

import logging
import time

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse

logger = logging.getLogger("core.health")

PATHS = {"/healthz", "/healthz/", "/readyz", "/readyz/"}
_migrations_applied = False  # once true in a process, it stays true until the next deploy


def healthz() -> tuple[int, dict]:
    return 200, {"status": "ok"}


def readyz() -> tuple[int, dict]:
    checks = {
        "database": _check(_database),
        "migrations": _check(_migrations),
        "cache": _check(_cache),
    }
    ready = checks["database"] == "ok" and checks["migrations"] == "ok"
    if checks["cache"] != "ok":
        checks["cache"] = "unavailable"
    return (200 if ready else 503), {"status": "ok" if ready else "unavailable", **checks}


def _check(probe) -> str:
    try:
        return probe()
    except Exception as error:  # a probe reports, it never raises
        logger.warning("Bereitschaftsprüfung %s fehlgeschlagen: %s", probe.__name__, error)
        return "error"


def _database() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Do not keep a broken connection for the next probe or request.
        connection.close()
        raise
    return "ok"


def _migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return "pending"
        _migrations_applied = True
    return "ok"


def _cache() -> str:
    cache = caches["default"]
    key = "readyz:probe"
    value = str(time.monotonic())
    cache.set(key, value, timeout=10)
    return "ok" if cache.get(key) == value else "error"


class HealthCheckMiddleware:
    """Answers the probes first, in JSON, never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        probe = readyz if request.path_info.startswith("/readyz") else healthz
        status, body = probe()
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        return response
