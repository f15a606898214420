"""Statement timeouts: a few seconds for public pages, longer for the admin and downloads, none
for management commands; a query cut off answers with a page that says so."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from core.page_cache import streamed
from programmes.filters import ProgrammeFilterSet

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def limits(settings):
    settings.DB_STATEMENT_TIMEOUT_MS = 1234
    settings.DB_STATEMENT_TIMEOUT_LONG_MS = 4321
    yield settings
    # Leave no limit on the test connection for the tests that follow.
    if connection.connection is not None and not connection.in_atomic_block:
        connection.connection.execute("RESET statement_timeout")
    connection.statement_timeout_ms = None


def show_timeout(request):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return HttpResponse(cursor.fetchone()[0])


@streamed
def download(request):
    return show_timeout(request)


urlpatterns = [
    path("seite/", show_timeout),
    path("download/", download),
    path("admin/seite/", show_timeout),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_pages_get_the_short_limit_downloads_and_the_admin_the_long_one(client, limits):
    assert client.get("/seite/").content == b"1234ms"
    assert client.get("/download/").content == b"4321ms"
    assert client.get("/seite/").content == b"1234ms"  # set back for the next page
    assert client.get("/admin/seite/").content == b"4321ms"


@pytest.mark.django_db
def test_a_query_past_the_limit_answers_with_a_page_that_says_so(client, limits, monkeypatch):
    limits.DB_STATEMENT_TIMEOUT_MS = 50

    def slow(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return True

    monkeypatch.setattr(ProgrammeFilterSet, "is_valid", slow)
    response = client.get("/programme/?q=Quartier")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "Zeitüberschreitung" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_connections_opened_outside_requests_have_no_limit(client, limits):
    client.get("/programme/")
    connection.close()
    with connection.cursor() as cursor:  # as a management command opens it
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_management_commands_run_without_a_limit():
    env = {**os.environ, "DB_STATEMENT_TIMEOUT_MS": "100"}
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL") or _test_database_url()
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SHOW statement_timeout'); print(c.fetchone()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split()[-1] == "0"


def _test_database_url() -> str:
    s = connection.settings_dict
    if s["HOST"].startswith("/"):  # the embedded server listens on a Unix socket
        return f"postgresql://{s['USER']}:{s['PASSWORD']}@/{s['NAME']}?host={s['HOST']}"
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
