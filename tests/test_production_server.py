"""The production server (gunicorn, DEBUG off) against a real PostgreSQL that the test stops and
starts again: 503 with Retry-After during the outage, /healthz and /readyz for the balancer,
recovery without a restart, structured logs without personal data, and request lines or
headers too large refused by gunicorn while its workers keep serving."""

import json
import re
import tempfile
import time

import pytest

from tests.servers import Gunicorn, ThrowawayPostgres, manage, production_environment

REQUEST_LOG_FIELDS = {"time", "level", "logger", "message", "method", "path", "status"}
REQUEST_LOG_FIELDS |= {"duration_ms", "view"}


@pytest.fixture(scope="module")
def postgres():
    server = ThrowawayPostgres()
    server.start()
    server.create_database()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def app(postgres):
    with tempfile.TemporaryDirectory(prefix="kk-static-") as static_root:
        env = production_environment(postgres.url, STATIC_ROOT=static_root)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_catalogue")
        manage(env, "collectstatic", "--noinput", "-v0")
        server = Gunicorn(env)
        server.start()
        yield server
        server.stop()


def wait_for(condition, timeout=15.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def json_lines(app) -> list[dict]:
    entries = []
    for line in app.log_lines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    return entries


def test_probes_answer_json(app):
    assert app.get_json("/healthz") == (200, {"status": "ok"})
    status, body = app.get_json("/readyz")
    assert (status, body) == (
        200,
        {"status": "ok", "database": "ok", "migrations": "ok", "cache": "ok"},
    )
    status, headers, _body = app.get("/readyz")
    assert headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"] == "application/json"


def test_database_outage_answers_503_and_heals_by_itself(app, postgres):
    status, _headers, body = app.get("/programme/")
    assert status == 200
    programme_path = re.search(r'href="(/programme/[a-z0-9-]+/)"', body).group(1)

    # Fresh addresses: a page cache may rightly keep serving pages it already has.
    pages = ["/", "/programme/", programme_path, "/kommunen/", "/api/v1/programmes/"]
    postgres.stop()
    try:
        for path in pages:
            status, headers, body = app.get(f"{path}?ausfall=1")
            assert status == 503, (path, status, body[:300])
            assert headers["Retry-After"] == "30"
            assert headers["Cache-Control"] == "no-store"
            if not path.startswith("/api/"):
                # The site's own page: header, navigation, footer, one stylesheet.
                assert "Vorübergehend nicht erreichbar" in body
                assert 'class="site-header"' in body and 'class="site-footer"' in body
                assert "/static/css/site." in body
        assert app.get_json("/healthz") == (200, {"status": "ok"})
        status, readiness = app.get_json("/readyz")
        assert status == 503
        assert readiness["status"] == "unavailable"
        assert readiness["database"] == "error"
    finally:
        postgres.start()

    # No restart: the next requests find the database again (and no 503 was kept).
    assert wait_for(lambda: app.get("/programme/?ausfall=1")[0] == 200)
    for path in pages:
        assert app.get(f"{path}?ausfall=1")[0] == 200, path
    assert app.get_json("/readyz")[0] == 200

    outage = [e for e in json_lines(app) if e["logger"] == "core.outage"]
    assert outage and all(e["status"] == 503 for e in outage)


def test_request_logs_are_json_without_query_strings_or_addresses(app):
    marker = "Frau-Mustermann-aus-Iserlohn"
    assert app.get(f"/programme/?q={marker}")[0] == 200
    assert app.get("/gibt-es-nicht/")[0] == 404
    assert wait_for(lambda: any(e.get("path") == "/gibt-es-nicht/" for e in json_lines(app)))
    lines = app.log_lines()
    assert not any(marker in line for line in lines)
    entries = json_lines(app)
    requests = [e for e in entries if e["logger"] == "core.request"]
    assert requests
    for entry in requests:
        assert set(entry) == REQUEST_LOG_FIELDS, entry
        assert isinstance(entry["duration_ms"], float)
    search = next(e for e in requests if e["path"] == "/programme/")
    assert search["method"] == "GET" and search["status"] == 200
    assert search["view"] == "programmes:programme-list"
    for entry in entries:
        assert "127.0.0.1" not in json.dumps(entry) or entry["logger"] == "core.health"


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /programme/?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + b"".join(b"X-H%d: 1\r\n" % i for i in range(150))
        + b"\r\n",
    ],
    ids=["request-line", "header-field", "header-count"],
)
def test_oversized_requests_are_refused_and_workers_keep_serving(app, request_bytes):
    answer = app.raw(request_bytes)
    status_line = answer.split(b"\r\n", 1)[0]
    assert re.match(rb"HTTP/1\.[01] (400|414|431) ", status_line), status_line
    for _ in range(4):  # each of the two workers answers normally afterwards
        assert app.get("/healthz")[0] == 200
    assert app.get("/")[0] == 200
    # gunicorn notes the refusal, without the client's address.
    refusals = [e for e in json_lines(app) if e["logger"] == "gunicorn.error"]
    assert any("Invalid request from ip=[Adresse entfernt]" in e["message"] for e in refusals)
    assert not any("ip=127.0.0.1" in line for line in app.log_lines())
