"""The debug error page, where DEBUG is on, shows no password from DATABASE_URL, REDIS_URL or the
environment."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.servers import PROJECT

REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"]

# runserver copies the process environment into request.META; the RequestFactory does the same.
RENDER_500 = """
import os, sys
import django
django.setup()
from django.test import RequestFactory
from django.views.debug import technical_500_response
request = RequestFactory().get("/", **os.environ)
try:
    raise RuntimeError("Absturz")
except RuntimeError:
    sys.stdout.write(technical_500_response(request, *sys.exc_info()).content.decode())
"""


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED and not k.endswith("_FILE")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", **values)
    return env


def test_the_debug_error_page_shows_no_password_from_a_url():
    database_password, redis_password = secrets.token_hex(12), secrets.token_hex(12)
    env = environment(
        DEBUG="1",
        DATABASE_URL=f"postgresql://kk:{database_password}@db.intern:5432/kommunalkompass",
        REDIS_URL=f"redis://:{redis_password}@cache.intern:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", RENDER_500], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert "RuntimeError" in page and "DATABASE_URL" in page and "CACHES" in page
    assert database_password not in page
    assert redis_password not in page
    # Hidden is the password only: where the database and the cache are stays visible.
    assert "postgresql://kk:********************@db.intern:5432/kommunalkompass" in page
    assert "redis://:********************@cache.intern:6379/0" in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://kk:geheim@db:5432/kk", "postgresql://kk:***@db:5432/kk"),
        ("redis://:ge@heim@cache:6379/0", "redis://:***@cache:6379/0"),
        ("postgresql://kk@db/kk", "postgresql://kk@db/kk"),
        ("https://kommunalkompass.nrw/admin/", "https://kommunalkompass.nrw/admin/"),
        ("Kontakt: redaktion@example.org, 12:30", "Kontakt: redaktion@example.org, 12:30"),
    ],
)
def test_only_the_password_of_a_url_is_replaced(text, expected):
    from core.error_reports import without_url_passwords

    assert without_url_passwords(text, "***") == expected
