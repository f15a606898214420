"""Full dumps: every published programme as CSV, CSV for German Excel, XLSX and JSON, made once
per catalogue version and day and served as files.

Why: a live export of 100,000 rows takes up to half a minute (XLSX), as long as a worker may
take, and every request made it again. A dump is made once. The first request for a version
finds no file and has it built; later ones get the file with an ETag and Last-Modified from the
version. The day is part of the key because status and next deadline follow the calendar.

Building is guarded by a PostgreSQL advisory lock per format, so parallel requests, processes
and app servers build it once. The file is written under a temporary name and renamed, so
nobody reads half a file, and the files of older versions are removed after (an open one stays
readable until closed). A catalogue no longer than a live export may be (EXPORT_MAX_ROWS) is
built in the request; a larger one by ``manage.py build_dumps`` in a separate process with
lower priority, so no worker waits for it and none runs into the worker timeout: requests get
503 with Retry-After until it is there. A request that finds a small dump being built by another
waits for it up to EXPORT_DUMP_WAIT seconds.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from core.cache import Version, catalogue_version
from core.listing import BadParameters
from core.page_cache import streamed
from opendata import exports
from opendata.cors import allow_cors
from opendata.errors import bad_parameters_response
from opendata.limits import DUMP_BUILDS, advisory_lock, busy_response, lock_is_held
from programmes.filters import ProgrammeFilterSet
from programmes.models import Programme

LICENSE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
POLL_SECONDS = 0.2
BUILD_RETRY_AFTER = 30
BUILDING = (
    "Die Gesamtdatei für den aktuellen Katalogstand wird gerade erstellt. "
    "Bitte in {seconds} Sekunden erneut versuchen."
)


def published():
    """Every published programme, whatever its status, in the list's default order."""
    return Programme.objects.published().with_status().order_by("sort_title", "pk")


def _site_url(name: str) -> str:
    """Addresses in a dump come from SITE_URL: a file is the same for every host."""
    return settings.SITE_URL + reverse(name, kwargs={"slug": "__slug__"})


def write_csv(target, delimiter: str = ",") -> None:
    rows = exports.export_rows(published(), _site_url("programmes:programme-detail"))
    for chunk in exports.csv_stream(rows, delimiter):
        target.write(chunk.encode())


def write_xlsx(target) -> None:
    exports.write_xlsx(
        exports.export_rows(published(), _site_url("programmes:programme-detail")), target
    )


def _json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value.isoformat()  # dates


def write_json(target) -> None:
    """The API's field names, flat: funder, topics and target groups as names, kind, level and
    status as the API's codes; one programme per line inside "results"."""
    page = _site_url("programmes:programme-detail")
    api = _site_url("opendata:api-programme-detail")
    head = {
        "title": "Kommunalkompass NRW: alle veröffentlichten Programme",
        "license": LICENSE,
        "license_url": "https://www.govdata.de/dl-de/by-2-0",
        "attribution": "Kommunalkompass NRW",
        "generated": timezone.localtime().isoformat(timespec="seconds"),
    }
    target.write(json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "results": [\n')
    count = 0
    for row in exports.export_queryset(published()).iterator(chunk_size=exports.CHUNK_SIZE):
        record = {
            "url": api.replace("__slug__", row["slug"]),
            "html_url": page.replace("__slug__", row["slug"]),
            "slug": row["slug"],
            "title": row["title"],
            "short_name": row["short_name"],
            "summary": row["summary"],
            "kind": row["kind"],
            "level": row["level"],
            "status": row["status"],
            "next_deadline": row["next_deadline"],
            "funder": row["funding_body__name"],
            "topics": row["topic_names"],
            "target_groups": row["target_group_names"],
            "max_grant": row["max_grant"],
            "funding_rate": row["funding_rate"],
            "start_date": row["start_date"],
            "end_date": row["end_date"],
            "website": row["website"] or None,
            "updated": timezone.localtime(row["updated"]).isoformat(),
            "facts_checked_on": row["facts_checked_on"],
        }
        line = json.dumps(record, ensure_ascii=False, default=_json_value)
        target.write((",\n" if count else "").encode() + line.encode())
        count += 1
    target.write(f'\n], "count": {count}}}\n'.encode())


@dataclass(frozen=True)
class Kind:
    name: str
    extension: str
    content_type: str
    write: Callable
    lock_key: int


KINDS = {
    kind.name: kind
    for kind in [
        Kind("csv", "csv", "text/csv; charset=utf-8; header=present", write_csv, 1),
        Kind(
            "csv-semicolon",
            "csv",
            "text/csv; charset=utf-8; header=present",
            lambda target: write_csv(target, ";"),
            2,
        ),
        Kind(
            "xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            write_xlsx,
            3,
        ),
        Kind("json", "json", "application/json", write_json, 4),
    ]
}


# --- Files ------------------------------------------------------------------------------------


def folder() -> Path:
    """One folder per database: two databases (tests, a restored copy) never share a file."""
    name = re.sub(r"[^\w.-]", "_", str(connection.settings_dict["NAME"]))
    base = settings.EXPORT_DUMP_DIR or Path(tempfile.gettempdir()) / "kommunalkompass-dumps"
    return Path(base) / name


def path_for(kind: Kind, version: Version, day) -> Path:
    # The time of the change as well as its number: a recreated database counts from 1 again.
    stamp = version.changed.strftime("%Y%m%d%H%M%S%f")
    name = f"programme.{kind.name}.{day.isoformat()}.{version.number}.{stamp}.{kind.extension}"
    return folder() / name


def build(kind: Kind) -> Path | None:
    """Make this kind's dump for the current version unless it is there; None while another
    session holds the lock (it is building it)."""
    with advisory_lock(DUMP_BUILDS, kind.lock_key) as held:
        if not held:
            return None
        target = path_for(kind, catalogue_version(), timezone.localdate())
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".programme.{kind.name}."
        for stale in target.parent.glob(prefix + "*"):  # left by a build that died; ours now
            stale.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                kind.write(out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for old in target.parent.glob(f"programme.{kind.name}.*"):
            if old != target:
                old.unlink(missing_ok=True)
        return target


_children: dict[str, subprocess.Popen] = {}
_children_lock = threading.Lock()


def spawn(kind: Kind) -> None:
    """Start ``manage.py build_dumps <kind>`` in the background, unless it runs already (here, or
    anywhere: the advisory lock is held). The child outlives this request and this worker."""
    with _children_lock:
        child = _children.get(kind.name)
        if child is not None and child.poll() is None:
            return
        if lock_is_held(DUMP_BUILDS, kind.lock_key):
            return
        command = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "build_dumps",
            kind.name,
            f"--database-name={connection.settings_dict['NAME']}",
            f"--dir={folder().parent}",
            "--nice=19",
        ]
        child = subprocess.Popen(  # noqa: S603 (our own command)
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        _children[kind.name] = child
        threading.Thread(target=child.wait, daemon=True).start()  # no zombie left behind


def _small_catalogue() -> bool:
    limit = settings.EXPORT_MAX_ROWS
    return Programme.objects.published().values("pk")[: limit + 1].count() <= limit


def obtain(kind: Kind, target: Path) -> Path | None:
    """The dump at `target`, if it can be had without holding a worker for long: built here
    (small catalogue, or inside a transaction whose rows another process could not see), or
    built by another request in a moment. A large one is left to a child process: None."""
    if not (connection.in_atomic_block or _small_catalogue()):
        spawn(kind)
        return None
    built = build(kind)
    if built is not None:
        return built
    deadline = time.monotonic() + settings.EXPORT_DUMP_WAIT
    while not target.exists():
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL_SECONDS)
    return target


# --- Serving ----------------------------------------------------------------------------------


def serve(request, kind: Kind):
    version, day = catalogue_version(), timezone.localdate()
    target = path_for(kind, version, day)
    if not target.exists():
        target = obtain(kind, target)
    try:
        file = target.open("rb") if target else None
    except FileNotFoundError:  # replaced by a newer version in between
        file = None
    if file is None:
        seconds = BUILD_RETRY_AFTER
        return busy_response(BUILDING.format(seconds=seconds), seconds)
    # The day starts a new dump (status, deadlines) even when the catalogue did not change.
    midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    modified = max(version.changed, midnight).timestamp()
    etag = f'"{target.stem.removeprefix("programme.")}"'
    unchanged = get_conditional_response(request, etag=etag, last_modified=modified)
    if unchanged is not None:
        file.close()
        return unchanged
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"kommunalkompass-programme-{day.isoformat()}.{kind.extension}",
        content_type=kind.content_type,
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=0)
    return response


# --- Views ------------------------------------------------------------------------------------


def filtered(query) -> bool:
    """Whether the query string sets any of the list's parameters (`sort` included: a dump has
    one order). Others (`delimiter`, `page`, unknown ones) leave the list as it is."""
    return any(any(query.getlist(name)) for name in ProgrammeFilterSet.base_filters)


def dump_or_live(live_view, kind_of: Callable):
    """The address of a live export: without filters it serves the full dump instead."""

    @allow_cors
    @require_safe
    @streamed
    @wraps(live_view)
    def view(request):
        if filtered(request.GET):
            return live_view(request)
        try:
            kind = kind_of(request.GET)
        except BadParameters as bad:
            return bad_parameters_response(bad.errors)
        return serve(request, KINDS[kind])

    return view


def _csv_kind(query) -> str:
    return "csv" if exports._delimiter(query) == "," else "csv-semicolon"


export_csv = dump_or_live(exports.export_csv, _csv_kind)
export_xlsx = dump_or_live(exports.export_xlsx, lambda query: "xlsx")


@allow_cors
@require_safe
@streamed
def export_json(request):
    """Only the full dump: a filtered list as JSON is what the API is for."""
    if filtered(request.GET):
        api = request.build_absolute_uri(reverse("opendata:api-programme-list"))
        api = f"{api}?{request.GET.urlencode()}"
        return JsonResponse(
            {
                "detail": "Die JSON-Gesamtdatei nimmt keine Filter. Gefilterte Listen liefert "
                f"die API: {api}",
                "api": api,
            },
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return serve(request, KINDS["json"])
