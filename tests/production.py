"""The production configuration, as portal/settings.py computes it with DEBUG off.

Tests run with the development settings; security tests override the security-relevant part with
what production would really use, read from the settings file itself, so they cannot drift.
"""

import os
import runpy
import secrets
from pathlib import Path
from unittest import mock

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "portal" / "settings.py"
HOST = "kommunalkompass.example"

# Settings that shape responses and their headers (not the database, static storage or logging).
SECURITY_PREFIXES = (
    "SECURE_",
    "SESSION_COOKIE_",
    "CSRF_COOKIE_",
    "CONTENT_SECURITY_POLICY",
    "X_FRAME_OPTIONS",
    "ADMIN_REQUIRE_2FA",
    "AXES_",
)


def production_settings(**environment: str) -> dict:
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},testserver",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgresql://localhost/unused",
        **environment,
    }
    with mock.patch.dict(os.environ, env):
        namespace = runpy.run_path(str(SETTINGS_FILE))
    return {name: value for name, value in namespace.items() if name.isupper()}


def security_overrides(**environment: str) -> dict:
    """The production values to pass to override_settings (DEBUG off included)."""
    production = production_settings(**environment)
    overrides = {
        name: value for name, value in production.items() if name.startswith(SECURITY_PREFIXES)
    }
    overrides.update(
        DEBUG=False,
        SECRET_KEY=production["SECRET_KEY"],
        ALLOWED_HOSTS=production["ALLOWED_HOSTS"],
        SILENCED_SYSTEM_CHECKS=production["SILENCED_SYSTEM_CHECKS"],
    )
    return overrides
