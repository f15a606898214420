"""CSV and Excel downloads of the current programme list (/programme/export.csv|.xlsx).

Both take the list's query string and hold the same columns (documented in docs/opendata.md).
Rows come from one query through a server-side cursor (`iterator(chunk_size=…)`), topics and
target groups as array subqueries, so no row count ever sits in memory: the CSV is streamed
as it is read, the XLSX is written row by row into a temporary file (openpyxl's write-only
mode) and then streamed from there. A list longer than EXPORT_MAX_ROWS is not made here, and
only a few at once (opendata.limits); without filters the address serves the full dump
(opendata.dumps).
"""

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.listing import BadParameters, ParameterError
from core.page_cache import streamed
from core.text import without_control_characters, xml_text
from opendata.cors import allow_cors
from opendata.errors import bad_parameters_response
from opendata.limits import live_export
from opendata.selection import selected_programmes
from programmes.models import Level, Programme, TargetGroup, Topic
from programmes.querysets import Status

CHUNK_SIZE = 2000
ROWS_PER_WRITE = 500
LIST_SEPARATOR = "; "
DELIMITERS = {"comma": ",", "semicolon": ";"}
# Cells that Excel would run as a formula when opening a CSV (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_KIND = dict(Programme.Kind.choices)
_LEVEL = dict(Level.choices)
_STATUS = dict(Status.choices)


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 20


COLUMNS = [
    Column("Titel", 50),
    Column("Kurzname", 15),
    Column("Kurzbeschreibung", 80),
    Column("Art", 20),
    Column("Ebene", 12),
    Column("Status", 22),
    Column("Nächste Antragsfrist", 14),
    Column("Fördergeber", 35),
    Column("Themen", 35),
    Column("Zielgruppen", 35),
    Column("Höchstförderung (EUR)", 16),
    Column("Förderquote (%)", 12),
    Column("Beginn", 12),
    Column("Ende", 12),
    Column("Offizielle Seite", 40),
    Column("Seite im Kommunalkompass", 40),
    Column("Kurzadresse", 30),
    Column("Zuletzt aktualisiert", 14),
    Column("Angaben geprüft am", 14),
]
HEADERS = [column.header for column in COLUMNS]

_FIELDS = [
    "title",
    "short_name",
    "summary",
    "kind",
    "level",
    "status",
    "next_deadline",
    "funding_body__name",
    "topic_names",
    "target_group_names",
    "max_grant",
    "funding_rate",
    "start_date",
    "end_date",
    "website",
    "slug",
    "updated",
    "facts_checked_on",
]


def export_queryset(programmes):
    """One row per programme with everything the columns need, as plain values."""
    topics = Topic.objects.filter(programmes=OuterRef("pk")).order_by("name").values("name")
    groups = TargetGroup.objects.filter(programmes=OuterRef("pk")).order_by("name").values("name")
    return (
        programmes.with_next_deadline()
        .annotate(topic_names=ArraySubquery(topics), target_group_names=ArraySubquery(groups))
        .values(*_FIELDS)
    )


def export_rows(programmes, page_url: str) -> Iterator[list[Any]]:
    """The export's rows in column order, typed (str, date, Decimal or None)."""
    prefix, suffix = page_url.split("__slug__")
    for row in export_queryset(programmes).iterator(chunk_size=CHUNK_SIZE):
        yield [
            row["title"],
            row["short_name"],
            row["summary"],
            str(_KIND.get(row["kind"], row["kind"])),
            str(_LEVEL.get(row["level"], row["level"])),
            str(_STATUS.get(row["status"], row["status"])),
            row["next_deadline"],
            row["funding_body__name"] or "",
            LIST_SEPARATOR.join(row["topic_names"]),
            LIST_SEPARATOR.join(row["target_group_names"]),
            row["max_grant"],
            row["funding_rate"],
            row["start_date"],
            row["end_date"],
            row["website"],
            f"{prefix}{row['slug']}{suffix}",
            row["slug"],
            timezone.localtime(row["updated"]).date(),
            row["facts_checked_on"],
        ]


def _page_url(request) -> str:
    path = reverse("programmes:programme-detail", kwargs={"slug": "__slug__"})
    return request.build_absolute_uri(path)


def _filename(extension: str) -> str:
    return f"kommunalkompass-programme-{timezone.localdate().isoformat()}.{extension}"


# --- CSV --------------------------------------------------------------------------------------


class _Echo:
    """A file that hands back what is written to it, for csv.writer into a stream."""

    def write(self, value):
        return value


def csv_text(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text.replace(".", ",") if decimal_comma else text
    value = without_control_characters(value)  # stored text may hold them; readers choke
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_stream(rows: Iterator[list[Any]], delimiter: str) -> Iterator[str]:
    """The BOM (so Excel reads UTF-8), the header, then the rows a few hundred at a time."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    decimal_comma = delimiter == ";"
    yield "\ufeff" + writer.writerow(HEADERS)
    batch = []
    for row in rows:
        batch.append(writer.writerow([csv_text(value, decimal_comma) for value in row]))
        if len(batch) == ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _delimiter(query) -> str:
    choice = query.get("delimiter", "comma") or "comma"
    if choice not in DELIMITERS:
        raise BadParameters(
            [
                ParameterError(
                    "delimiter",
                    _("Trennzeichen"),
                    _("Bitte „comma“ oder „semicolon“ angeben."),
                )
            ]
        )
    return DELIMITERS[choice]


@allow_cors
@require_safe
@streamed
def export_csv(request):
    try:
        delimiter = _delimiter(request.GET)
        programmes = selected_programmes(request.GET)
    except BadParameters as bad:
        return bad_parameters_response(bad.errors)

    def respond():
        response = StreamingHttpResponse(
            csv_stream(export_rows(programmes, _page_url(request)), delimiter),
            content_type="text/csv; charset=utf-8; header=present",
        )
        response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
        return response

    return live_export(request, programmes, respond)


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_value(sheet, value):
    """Plain values take openpyxl's fast path (dates get a date format by themselves); only
    text that openpyxl would read as a formula needs a cell of its own. The sheet is XML:
    what XML cannot carry is left out (openpyxl would refuse the cell)."""
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text stays text
    return cell


def write_xlsx(rows: Iterator[list[Any]], target) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Programme"))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    workbook.save(target)


@allow_cors
@require_safe
@streamed
def export_xlsx(request):
    try:
        programmes = selected_programmes(request.GET)
    except BadParameters as bad:
        return bad_parameters_response(bad.errors)
    return live_export(request, programmes, lambda: _xlsx_response(request, programmes))


def _xlsx_response(request, programmes):
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    try:
        write_xlsx(export_rows(programmes, _page_url(request)), target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
