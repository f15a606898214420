"""Strict parsing of typed environment variables (Healthchecks' envbool/envint style).

A value that cannot be parsed stops the start with a message naming the variable, rather than
silently falling back to a default. Secrets may come from a file: ``SECRET_KEY_FILE``.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        with open(file_path, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} ist kein Wahrheitswert (erlaubt: 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} ist keine ganze Zahl.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def require(name: str, value: object) -> None:
    """Stop the start when a setting that production needs is missing."""
    if not value:
        raise ImproperlyConfigured(
            f"Die Umgebungsvariable {name} muss gesetzt sein, wenn DEBUG aus ist."
        )
