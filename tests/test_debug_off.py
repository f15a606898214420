"""DEBUG stays a development mode: `make serve` and gunicorn run only with DEBUG=0 and refuse to
start without the production settings, naming what is missing; and the debug error page, where
DEBUG is on, shows no password from DATABASE_URL, REDIS_URL or the environment."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.servers import GUNICORN, PROJECT, free_port

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


def test_make_serve_sets_debug_off_for_every_command():
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "-o", ".venv/.installed", "serve"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = [line for line in result.stdout.splitlines() if line.strip()]
    assert any("collectstatic" in line for line in commands)
    assert any("gunicorn" in line for line in commands)
    assert all(line.startswith("DEBUG=0 ") for line in commands), commands


@pytest.mark.parametrize("missing", REQUIRED)
def test_make_serve_refuses_to_start_without_production_settings(missing, tmp_path):
    production = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "kommunalkompass.example",
        "DATABASE_URL": "postgresql://kk@127.0.0.1:1/unused",
    }
    del production[missing]
    env = environment(
        DEBUG="1",  # what the shell may hold; make serve overrides it
        STATIC_ROOT=str(tmp_path / "static"),
        GUNICORN_BIND=f"127.0.0.1:{free_port()}",
        **production,
    )
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", "serve"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"Die Umgebungsvariable {missing} muss gesetzt sein" in result.stderr
    assert not (tmp_path / "static").exists()  # stopped before collectstatic wrote anything


@pytest.mark.parametrize("debug", [None, "1"])
def test_gunicorn_refuses_debug_on(debug):
    env = environment(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="x")
    env.pop("DEBUG", None)
    if debug is not None:
        env["DEBUG"] = debug
    env["GUNICORN_BIND"] = f"127.0.0.1:{free_port()}"
    result = subprocess.run(
        [GUNICORN, "portal.wsgi", "--config", "portal/gunicorn_config.py"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "bitte mit DEBUG=0 starten" in result.stdout + result.stderr
