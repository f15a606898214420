"""gunicorn for production: workers scale with the cores, request limits refuse oversized
request lines and headers before Django sees them (414 or 400, the worker keeps serving)."""

import multiprocessing
import os

# Production only: with DEBUG on (also when unset) Django would show tracebacks with settings to
# every visitor and, without SECRET_KEY, sign sessions with the development key.
if os.environ.get("DEBUG", "1").strip().lower() not in {"0", "false", "no", "off", ""}:
    raise SystemExit("gunicorn ist der Produktionsserver: bitte mit DEBUG=0 starten (make serve).")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# Workers are replaced now and then to bound memory (~120 MB each stays flat). Not too often:
# a new worker imports Django and builds its catalogue index again (~1.5 s of CPU); at 5,000
# requests that was every 20 s per worker under full load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50_000))
max_requests_jitter = max_requests // 10
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") else None
# Without the client address and the query string (Django's portal.request log says the same).
access_log_format = "%(m)s %(U)s %(s)s %(b)s %(M)sms"

# gunicorn's own messages in the portal's format (LOG_FORMAT), with client addresses removed
# ("Invalid request from ip=…").
_format = os.environ.get("LOG_FORMAT", "text")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "filters": {"no_addresses": {"()": "core.logs.RedactAddresses"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": _format if _format in ("text", "json") else "text",
            "filters": ["no_addresses"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO" if accesslog else "WARNING",  # a dict config would enable it
            "handlers": ["console"],
            "propagate": False,
        },
    },
}
