"""Full dumps (opendata.dumps) and the bounds on live exports (opendata.limits): a dump is built
once per catalogue version, by one request however many arrive; a changed catalogue gets a new
one and the old goes; filtered lists above the limit are pointed to the dumps; live exports
are capped per process and in all processes together."""

import csv
import io
import json
import threading
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from opendata import dumps, limits
from programmes.models import Programme
from tests.factories import make_programme, make_topic

DAY = timedelta(days=1)
EVERY_STATUS = "status=open&status=upcoming&status=running&status=closed&status=announced"


@pytest.fixture(autouse=True)
def dump_dir(settings, tmp_path):
    settings.EXPORT_DUMP_DIR = str(tmp_path)
    settings.EXPORT_DUMP_WAIT = 5
    return tmp_path


@pytest.fixture
def builds(monkeypatch):
    """Counts the builds of each kind; setting `builds["slow"]` makes each take 0.5 s longer."""
    counts = dict.fromkeys(dumps.KINDS, 0)
    counts_lock = threading.Lock()
    delay = threading.Event()

    def counting(kind):
        def write(target):
            with counts_lock:
                counts[kind.name] += 1
            if delay.is_set():
                threading.Event().wait(0.5)
            kind.write(target)

        return replace(kind, write=write)

    monkeypatch.setattr(dumps, "KINDS", {n: counting(k) for n, k in dumps.KINDS.items()})
    counts["slow"] = delay
    return counts


@pytest.fixture
def catalogue(db, today):
    klima = make_topic("Klima")
    make_programme("Älteres Förderprogramm", topics=[klima], windows=[(None, today + 9 * DAY)])
    make_programme("Beendet", topics=[klima], end_date=today - DAY)
    make_programme("Zweites Programm", topics=[klima], max_grant=12500)
    make_programme("Entwurf geheim", topics=[klima], publication=Programme.Publication.DRAFT)
    make_programme("Zurückgezogen", publication=Programme.Publication.ARCHIVED)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_titles(raw: bytes, delimiter=",") -> list[str]:
    rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    return [row[0] for row in list(rows)[1:]]


def files(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def other_session():
    """A second database session (another process, as far as PostgreSQL can tell)."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


PUBLISHED = ["Älteres Förderprogramm", "Beendet", "Zweites Programm"]


class TestDumps:
    def test_without_filters_the_export_is_the_full_dump_of_every_published_programme(
        self, client, catalogue, today
    ):
        response = client.get("/programme/export.csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
        assert response["Content-Disposition"] == (
            f'attachment; filename="kommunalkompass-programme-{today.isoformat()}.csv"'
        )
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["ETag"] and response["Last-Modified"]
        raw = body(response)
        assert csv_titles(raw) == PUBLISHED  # ended ones too; the list's order
        assert "Entwurf" not in raw.decode("utf-8-sig")
        assert "Zurückgezogen" not in raw.decode("utf-8-sig")

    def test_drafts_appear_in_no_dump(self, client, catalogue):
        semicolon = body(client.get("/programme/export.csv?delimiter=semicolon"))
        assert csv_titles(semicolon, ";") == PUBLISHED
        assert ";12500;" in semicolon.decode("utf-8-sig")
        sheet = load_workbook(io.BytesIO(body(client.get("/programme/export.xlsx")))).active
        assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == PUBLISHED
        data = json.loads(body(client.get("/programme/export.json")))
        assert [p["title"] for p in data["results"]] == PUBLISHED
        for raw in (semicolon, json.dumps(data, ensure_ascii=False).encode()):
            assert "Entwurf" not in raw.decode("utf-8-sig")
            assert "Zurückgezogen" not in raw.decode("utf-8-sig")

    def test_json_dump_has_the_api_field_names(self, client, catalogue, today):
        response = client.get("/programme/export.json")
        assert response["Content-Type"] == "application/json"
        data = json.loads(body(response))
        assert data["count"] == 3
        assert "dl-de/by-2-0" in data["license"]
        first = data["results"][0]
        assert first["url"] == "http://127.0.0.1:8000/api/v1/programmes/alteres-forderprogramm/"
        assert first["html_url"] == "http://127.0.0.1:8000/programme/alteres-forderprogramm/"
        assert first["status"] == "open"
        assert first["next_deadline"] == (today + 9 * DAY).isoformat()
        assert first["topics"] == ["Klima"]
        assert first["website"] is None
        assert data["results"][1]["status"] == "closed"
        assert data["results"][2]["max_grant"] == 12500
        api = client.get("/api/v1/programmes/alteres-forderprogramm/").json()
        assert set(first) - {"funder", "target_groups"} <= set(api)

    def test_built_once_per_version_and_served_from_the_file(
        self, client, catalogue, builds, dump_dir
    ):
        first = client.get("/programme/export.csv")
        again = client.get("/programme/export.csv")
        assert body(first) == body(again)
        assert first["ETag"] == again["ETag"]
        assert builds["csv"] == 1
        unchanged = client.get("/programme/export.csv", HTTP_IF_NONE_MATCH=first["ETag"])
        assert unchanged.status_code == 304
        assert builds["csv"] == 1
        assert len(files(dump_dir)) == 1

    def test_a_catalogue_change_makes_a_new_dump_and_removes_the_old(
        self, client, catalogue, builds, dump_dir
    ):
        before = client.get("/programme/export.csv")
        body(before)
        (old,) = files(dump_dir)
        Programme.objects.filter(title="Zweites Programm").update(title="Umbenannt")
        after = client.get("/programme/export.csv")
        assert "Umbenannt" in body(after).decode("utf-8-sig")
        assert after["ETag"] != before["ETag"]
        assert builds["csv"] == 2
        assert old not in files(dump_dir)
        assert len(files(dump_dir)) == 1

    def test_a_new_day_makes_a_new_dump(self, client, catalogue, builds, monkeypatch, today):
        body(client.get("/programme/export.json"))
        monkeypatch.setattr(dumps.timezone, "localdate", lambda: today + DAY)
        body(client.get("/programme/export.json"))
        assert builds["json"] == 2

    def test_a_dump_someone_else_builds_is_waited_for_then_503(self, client, catalogue, settings):
        settings.EXPORT_DUMP_WAIT = 0
        with other_session() as session:
            session.execute(
                "SELECT pg_advisory_lock(%s, %s)",
                [limits.DUMP_BUILDS, dumps.KINDS["xlsx"].lock_key],
            )
            assert limits.lock_is_held(limits.DUMP_BUILDS, dumps.KINDS["xlsx"].lock_key)
            response = client.get("/programme/export.xlsx")
        assert response.status_code == 503
        assert response["Retry-After"] == str(dumps.BUILD_RETRY_AFTER)
        assert "wird gerade erstellt" in response.json()["detail"]
        assert client.get("/programme/export.xlsx").status_code == 200  # the lock is gone

    def test_the_command_builds_what_is_missing(self, catalogue, dump_dir, builds):
        call_command("build_dumps", "json", "csv", stdout=io.StringIO())
        call_command("build_dumps", "json", stdout=io.StringIO())
        assert (builds["json"], builds["csv"], builds["xlsx"]) == (1, 1, 0)
        assert len(files(dump_dir)) == 2

    def test_json_takes_no_filters(self, client, catalogue):
        response = client.get("/programme/export.json?topic=klima")
        assert response.status_code == 400
        assert response.json()["api"] == "http://testserver/api/v1/programmes/?topic=klima"


@pytest.mark.django_db(transaction=True)
def test_parallel_first_requests_build_the_dump_once(builds, today):
    for title in PUBLISHED:
        make_programme(title)
    builds["slow"].set()
    start = threading.Barrier(4)
    answers = []

    def fetch():
        from django.test import Client

        try:
            start.wait()
            response = Client().get("/programme/export.xlsx")
            answers.append((response.status_code, len(body(response))))
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _ in answers] == [200] * 4
    assert len({size for _, size in answers}) == 1
    assert builds["xlsx"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_large_catalogue_is_built_by_a_separate_process(client, settings, dump_dir, monkeypatch):
    """No worker waits for it: 503 with Retry-After until the child has renamed the file."""
    monkeypatch.setattr(dumps, "_children", {})
    settings.EXPORT_MAX_ROWS = 1
    for title in PUBLISHED:
        make_programme(title)
    response = client.get("/programme/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == str(dumps.BUILD_RETRY_AFTER)
    (child,) = dumps._children.values()  # manage.py build_dumps csv
    assert child.args[2:4] == ["build_dumps", "csv"]
    assert child.wait(timeout=60) == 0  # it starts Django first
    response = client.get("/programme/export.csv")
    assert response.status_code == 200, body(response)
    assert csv_titles(body(response)) == PUBLISHED
    assert len(dumps._children) == 1  # served from the file: nothing started again


class TestLiveLimits:
    def test_below_the_limit_filtered_exports_stay_live_and_streamed(
        self, client, catalogue, settings
    ):
        settings.EXPORT_MAX_ROWS = 3
        response = client.get(f"/programme/export.csv?{EVERY_STATUS}")
        assert response.status_code == 200
        assert "ETag" not in response  # made for this request
        assert csv_titles(body(response)) == PUBLISHED

    @pytest.mark.parametrize(
        "path", ["/programme/export.csv", "/programme/export.xlsx", "/programme/fristen.ics"]
    )
    def test_above_the_limit_the_answer_points_to_the_dump(self, client, catalogue, settings, path):
        settings.EXPORT_MAX_ROWS = 2
        response = client.get(f"{path}?{EVERY_STATUS}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        answer = response.json()
        assert answer["limit"] == 2
        assert answer["full_dump"] == {
            "csv": "http://testserver/programme/export.csv",
            "xlsx": "http://testserver/programme/export.xlsx",
            "json": "http://testserver/programme/export.json",
        }
        assert "http://testserver/programme/export.csv" in answer["detail"]
        assert "Filter eingrenzen" in answer["detail"]
        assert "Beendet" not in response.content.decode()  # no rows
        assert '<http://testserver/programme/export.csv>; rel="alternate"' in response["Link"]

    def test_a_process_makes_one_live_export_at_a_time(self, client, catalogue, settings):
        settings.EXPORT_CONCURRENCY_PROCESS = 1
        held, done = threading.Event(), threading.Event()
        in_progress = threading.Thread(target=self.hold_one_export, args=[held, done])
        in_progress.start()
        try:
            assert held.wait(timeout=10)
            busy = client.get("/programme/export.xlsx?topic=klima")
            assert busy.status_code == 503
            assert busy["Retry-After"] == str(limits.RETRY_AFTER_SECONDS)
            assert "erneut versuchen" in busy.json()["detail"]
            assert client.get("/programme/fristen.ics?topic=klima").status_code == 503
        finally:
            done.set()
            in_progress.join(timeout=10)
        response = client.get("/programme/export.csv?topic=klima")
        assert csv_titles(body(response)) == ["Älteres Förderprogramm", "Zweites Programm"]

    @staticmethod
    def hold_one_export(held, done):
        """Another thread of this process, in the middle of sending a live export."""
        from django.test import Client

        try:
            # Its own connection, which does not see this test's rows: a filter without them.
            response = Client().get("/programme/export.csv?status=open")
            assert response.status_code == 200
            held.set()
            done.wait(timeout=10)
            body(response)
        finally:
            connection.close()

    def test_all_processes_together_keep_to_the_total(self, client, catalogue, settings):
        settings.EXPORT_CONCURRENCY_PROCESS = 4
        settings.EXPORT_CONCURRENCY_TOTAL = 2
        with other_session() as session:  # two exports running elsewhere
            for slot in (0, 1):
                session.execute("SELECT pg_advisory_lock(%s, %s)", [limits.LIVE_SLOTS, slot])
            assert client.get("/programme/export.csv?topic=klima").status_code == 503
            session.execute("SELECT pg_advisory_unlock(%s, 1)", [limits.LIVE_SLOTS])
            response = client.get("/programme/export.csv?topic=klima")
            assert response.status_code == 200
            assert len(csv_titles(body(response))) == 2
        assert limits._semaphore()._value == 4  # every slot given back

    def test_a_dump_needs_no_slot(self, client, catalogue, settings):
        settings.EXPORT_CONCURRENCY_PROCESS = 1
        held = client.get("/programme/export.csv?topic=klima")
        assert client.get("/programme/export.csv").status_code == 200
        body(held)
