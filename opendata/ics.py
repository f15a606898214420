"""Application deadlines as iCalendar (RFC 5545), for one programme or any filtered list.

Each application window with a deadline becomes one all-day event on that date (VALUE=DATE:
the date in Germany, shown on that day in every calendar, so no VTIMEZONE is needed;
X-WR-TIMEZONE names Europe/Berlin for clients that want one). UIDs (`window-<id>@<host>`) stay
the same across downloads, so a subscribed or re-imported calendar updates its events instead
of duplicating them. Written by hand and streamed: lines end in CRLF, are folded at 75 octets
without splitting a character, and TEXT values escape backslash, semicolon, comma and newline.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.listing import BadParameters
from core.page_cache import streamed
from core.text import without_control_characters
from opendata.cors import allow_cors
from opendata.errors import bad_parameters_response
from opendata.limits import live_export
from opendata.selection import selected_programmes
from programmes.models import ApplicationWindow, Programme

CRLF = "\r\n"
MAX_OCTETS = 75
CHUNK_SIZE = 2000
PRODID = "-//Kommunalkompass NRW//Antragsfristen//DE"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11); other control characters than tab are not allowed in
    one, so stored text that holds them loses them here."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return without_control_characters(value)


def fold(line: str) -> str:
    """One content line, folded into pieces of at most 75 octets (RFC 5545, 3.1)."""
    if len(line.encode()) <= MAX_OCTETS:
        return line + CRLF
    pieces, current, size, limit = [], [], 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # a continuation starts with a space
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces) + CRLF


def _timestamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "kommunalkompass.nrw"


def event_lines(window: ApplicationWindow, page_url: str, host: str) -> list[str]:
    programme = window.programme
    description = [programme.summary]
    if window.opens:
        description.append(_("Antrag möglich ab %(date)s.") % {"date": date_format(window.opens)})
    if window.note:
        description.append(window.note)
    description.append(page_url)
    stamp = _timestamp(programme.updated)
    return [
        "BEGIN:VEVENT",
        f"UID:window-{window.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        f"DTSTART;VALUE=DATE:{window.closes:%Y%m%d}",
        f"DTEND;VALUE=DATE:{window.closes + timedelta(days=1):%Y%m%d}",
        "SUMMARY:" + escape_text(_("Antragsfrist: %(title)s") % {"title": programme.title}),
        "DESCRIPTION:" + escape_text("\n\n".join(description)),
        f"URL:{page_url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def calendar_stream(windows: Iterable[ApplicationWindow], name: str, page_url) -> Iterator[str]:
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape_text(name),
        "X-WR-TIMEZONE:Europe/Berlin",
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
    ]
    yield "".join(fold(line) for line in header)
    host = _uid_host()
    batch = []
    for window in windows:
        batch.extend(event_lines(window, page_url(window.programme), host))
        if len(batch) >= 500:
            yield "".join(fold(line) for line in batch)
            batch = []
    batch.append("END:VCALENDAR")
    yield "".join(fold(line) for line in batch)


def deadlines(programmes) -> Iterator[ApplicationWindow]:
    """Every window with a deadline of these programmes, by date; one query, streamed."""
    return (
        ApplicationWindow.objects.filter(
            programme__in=programmes.values("pk"), closes__isnull=False
        )
        .select_related("programme")
        .only(
            "opens",
            "closes",
            "note",
            "programme__slug",
            "programme__title",
            "programme__summary",
            "programme__updated",
        )
        .order_by("closes", "pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _response(request, windows, name: str, filename: str):
    template = request.build_absolute_uri(
        reverse("programmes:programme-detail", kwargs={"slug": "__slug__"})
    )
    response = StreamingHttpResponse(
        calendar_stream(windows, name, lambda p: template.replace("__slug__", p.slug)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@allow_cors
@require_safe
@streamed
def list_calendar(request):
    try:
        programmes = selected_programmes(request.GET)
    except BadParameters as bad:
        return bad_parameters_response(bad.errors)
    name = _("Kommunalkompass NRW: Antragsfristen")
    # Bounded like the CSV and XLSX exports (opendata.limits): rows are the list's programmes.
    return live_export(
        request, programmes, lambda: _response(request, deadlines(programmes), name, "fristen.ics")
    )


@allow_cors
@require_safe
@streamed
def programme_calendar(request, slug):
    programme = get_object_or_404(Programme.objects.published().only("pk", "title"), slug=slug)
    return _response(
        request,
        deadlines(Programme.objects.filter(pk=programme.pk)),
        _("Antragsfristen: %(title)s") % {"title": programme.title},
        f"{slug}-fristen.ics",
    )
