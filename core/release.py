"""The release a process runs, for cache keys (settings CACHES KEY_PREFIX).

A shared cache outlives a deploy: pages and pickled objects written by the old code would be
read by the new one, and an object whose class changed can break every page that reads it.
With the release in every key, a new release starts with keys of its own (the old entries
expire). RELEASE names it explicitly (e.g. the image tag); otherwise the package version and a
digest of the code and templates stand for it, so any change of either is a new release.
"""

import hashlib
import tomllib
from pathlib import Path

PACKAGES = ("core", "portal", "programmes", "municipalities", "opendata", "templates")


def release_id(base: Path) -> str:
    try:
        version = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "0"
    return f"{version}-{code_digest(base)}"


def code_digest(base: Path) -> str:
    """Twelve hex digits over every Python file and template, path and content."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((base / package).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".xml") and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
