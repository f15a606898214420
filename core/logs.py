"""Structured logs without personal data.

Every request is logged with method, path (never the query string, which may carry what a
visitor typed), status and duration; no IP address, user agent, cookie or user name. With
``LOG_FORMAT=json`` each record is one JSON object per line, for log collectors.
"""

import json
import logging
import re
import time
from datetime import UTC, datetime

request_logger = logging.getLogger("core.request")

# Attributes a record may carry that are safe and useful to keep (see RequestLogMiddleware and
# the ``extra`` of portal's own log calls).
SAFE_EXTRAS = ("method", "path", "status", "duration_ms", "view")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, safe extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in SAFE_EXTRAS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        # django.request attaches the request object and status_code: keep method, path and
        # status, never the request itself (headers, cookies, client address).
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry.setdefault("method", getattr(request, "method", None))
            entry.setdefault("path", request.path)
        if hasattr(record, "status_code"):
            entry.setdefault("status", record.status_code)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# What could end or fake a line in a text log: controls (C0, DEL, C1), the Unicode line and
# paragraph separators, and the backslash that starts an escape.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def printable(text: str) -> str:
    """The text with those characters escaped as Python writes them (``%0A`` → ``\\n``), so a
    request path cannot forge a log line."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class RequestLogMiddleware:
    """One line per request: ``GET /programme/ 200 12.3 ms``, with the fields as extras."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.INFO
        match = getattr(request, "resolver_match", None)
        request_logger.log(
            level,
            "%s %s %d %.1f ms",
            printable(request.method),
            printable(request.path),
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
                "view": match.view_name if match else None,
            },
        )
        return response


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What django-axes writes into its log lines: the path only. Who tried (user name and
    address) stays in the lockout table, visible to administrators for the cool-off period."""
    return f"path={printable(path_info)}"


# An IPv4 address; an IPv6 address written with "::" (also IPv4-mapped) or with all eight
# groups. Never a clock time such as 12:30:45.
_HEX = r"[0-9a-fA-F]{1,4}"
ADDRESS = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b"
    rf"|(?<![\w:])(?:{_HEX}(?::{_HEX})*)?::(?:{_HEX}(?::{_HEX})*)?(?:\.\d{{1,3}}){{0,3}}(?![\w])"
    rf"|(?<![\w:])(?:{_HEX}:){{7}}{_HEX}(?![\w:])"
)


class RedactAddresses(logging.Filter):
    """Removes client addresses from the app server's own messages ("Invalid request from
    ip=…"); gunicorn's configuration attaches it to its loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = ADDRESS.sub("[Adresse entfernt]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class OutageWithoutTraceback(logging.Filter):
    """While the database is down every request fails the same way: log one line each
    ("Service Unavailable: /path"), not the same traceback hundreds of times."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            from core.outage import is_database_outage

            if is_database_outage(record.exc_info[1]):
                record.exc_info = None
                record.exc_text = None
        return True
