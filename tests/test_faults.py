"""Faults in-process: which database errors count as an outage, the 503 and 500 pages, the
probes' answers when the cache or migrations are missing, and the JSON log format.
(The real outage, with PostgreSQL stopped under gunicorn, is in test_production_server.py.)"""

import io
import json
import logging

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory, override_settings

from core import health
from core.logs import JsonFormatter, OutageWithoutTraceback, RedactAddresses
from core.outage import is_database_outage, service_unavailable
from portal.views import server_error

pytestmark = pytest.mark.django_db


def wrapped(cause: Exception) -> OperationalError:
    """An OperationalError as Django raises it, with psycopg's error as its cause."""
    try:
        try:
            raise cause
        except Exception as error:
            raise OperationalError(str(error)) from error
    except OperationalError as django_error:
        return django_error


def test_lost_or_refused_connections_count_as_outage():
    assert is_database_outage(wrapped(psycopg.OperationalError("connection refused")))
    assert is_database_outage(wrapped(psycopg.errors.AdminShutdown()))
    assert is_database_outage(wrapped(psycopg.errors.CannotConnectNow()))
    assert is_database_outage(wrapped(psycopg.errors.TooManyConnections()))
    assert is_database_outage(InterfaceError("connection already closed"))


def test_failing_queries_are_not_an_outage():
    assert not is_database_outage(wrapped(psycopg.errors.QueryCanceled()))  # statement timeout
    assert not is_database_outage(wrapped(psycopg.errors.DeadlockDetected()))
    assert not is_database_outage(ValueError("bug"))
    assert not is_database_outage(None)


def test_the_503_page_needs_no_database(rf, django_assert_num_queries):
    request = rf.get("/programme/")
    with django_assert_num_queries(0):
        response = service_unavailable(request)
    content = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Vorübergehend nicht erreichbar" in content
    assert 'class="site-header"' in content and 'class="site-footer"' in content


def test_a_view_losing_the_database_answers_503(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise wrapped(psycopg.OperationalError("connection to server failed"))

    monkeypatch.setattr("programmes.views.ProgrammeFilterSet.is_valid", unreachable)
    response = client.get("/programme/?q=Quartier")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Vorübergehend nicht erreichbar" in response.content.decode()


def test_other_errors_get_the_500_page_in_the_site_design(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("programmes.views.ProgrammeFilterSet.is_valid", broken)
    response = Client(raise_request_exception=False).get("/programme/")
    content = response.content.decode()
    assert response.status_code == 500
    assert "Technischer Fehler" in content
    assert 'class="site-header"' in content and "/static/css/site.css" in content
    assert "a bug" not in content


def test_an_outage_outside_any_view_still_answers_503():
    """handler500 is reached for errors in middleware (e.g. loading a session)."""
    request = RequestFactory().get("/")
    try:
        raise wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_the_500_page_falls_back_to_plain_html(monkeypatch):
    def broken_render(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr("portal.views.render", broken_render)
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Technischer Fehler" in response.content


# Probes ----------------------------------------------------------------------------------------


def test_healthz_answers_without_a_valid_host_or_database(django_assert_num_queries):
    client = Client(HTTP_HOST="10.0.0.7")  # balancers probe by address, not by name
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_migrations_and_cache(client):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
    }
    assert client.post("/readyz").status_code == 405


def test_readyz_fails_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("programmes", "0099_future")],
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
)
def test_a_cache_outage_is_reported_but_keeps_the_server_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["cache"] == "unavailable"


# Logs ------------------------------------------------------------------------------------------


def format_json(record: logging.LogRecord) -> dict:
    return json.loads(JsonFormatter().format(record))


def test_json_log_of_a_django_error_keeps_path_and_status_only():
    request = RequestFactory().get(
        "/programme/?q=Erika+Mustermann",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Firefox",
        HTTP_COOKIE="sessionid=geheim",
    )
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",), None
    )
    record.request = request
    record.status_code = 500
    entry = format_json(record)
    assert entry["path"] == "/programme/" and entry["status"] == 500
    text = json.dumps(entry)
    for secret in ["Mustermann", "203.0.113.9", "Firefox", "geheim"]:
        assert secret not in text


@override_settings(MIDDLEWARE=["core.logs.RequestLogMiddleware"])
def test_request_log_line_names_method_path_status_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="core.request"):
        client.get("/impressum/?ref=newsletter-an-erika@example.org")
    (record,) = [r for r in caplog.records if r.name == "core.request"]
    entry = format_json(record)
    assert entry["method"] == "GET" and entry["path"] == "/impressum/" and entry["status"] == 200
    assert entry["view"] == "impressum"
    assert "erika" not in json.dumps(entry)


def test_client_addresses_are_removed_from_server_messages():
    record = logging.LogRecord(
        "gunicorn.error",
        logging.WARNING,
        __file__,
        1,
        "Invalid request from ip=%s: %s",
        ("2001:db8::7", "Request Line is too large"),
        None,
    )
    RedactAddresses().filter(record)
    assert record.getMessage() == (
        "Invalid request from ip=[Adresse entfernt]: Request Line is too large"
    )
    handler_output = io.StringIO()
    logging.StreamHandler(handler_output).emit(record)
    assert "2001:db8" not in handler_output.getvalue()


def test_an_outage_is_logged_in_one_line_other_errors_with_their_traceback():
    def record_for(error):
        try:
            raise error
        except Exception:
            import sys

            return logging.LogRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "Service Unavailable: /",
                (),
                sys.exc_info(),
            )

    outage = record_for(wrapped(psycopg.OperationalError("connection refused")))
    OutageWithoutTraceback().filter(outage)
    assert outage.exc_info is None
    bug = record_for(RuntimeError("a bug"))
    OutageWithoutTraceback().filter(bug)
    assert bug.exc_info is not None
