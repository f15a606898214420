"""The page cache: anonymous pages without cookies, served again until the catalogue changes (any
write, from the admin or in bulk, is visible on the next request), ETag/Last-Modified and 304,
editors always uncached, an unreachable Redis never failing a page; static files hashed and
cached for a year."""

import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from programmes.models import ApplicationWindow, Programme
from tests.admin_builders import make_editor
from tests.factories import add_participation, make_nrw_chain, make_programme, make_topic
from tests.test_admin import admin_url, programme_post

PUBLIC = [
    "/",
    "/programme/",
    "/programme/?q=Bad&topic=baeder",
    "/programme/hallenbad/",
    "/kommunen/",
    "/kommunen/iserlohn/",
    "/leitbild/",
    "/themen/",
    "/themen/baeder/",
    "/impressum/",
    "/api/v1/programmes/",
    "/programme/feed/",
    "/sitemap.xml",
]


@pytest.fixture
def catalogue(db, today):
    chain = make_nrw_chain()
    programme = make_programme(
        "Hallenbad",
        summary="Bäder sanieren.",
        topics=[make_topic("Bäder", slug="baeder")],
        windows=[(None, today + timedelta(days=30))],
    )
    add_participation(programme, chain["iserlohn"], "projektstandort")
    return programme


def queries(client, path, **headers):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, headers=headers)
    return response, len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC)
def test_anonymous_pages_set_no_cookie_and_are_served_again(client, catalogue, path):
    first, built = queries(client, path)
    assert first.status_code == 200
    assert not first.cookies
    assert "cookie" not in first.get("Vary", "").lower()
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert first["Cache-Control"].startswith("public")
    again, asked = queries(client, path)
    assert asked == 1 <= built  # the catalogue version, nothing else
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert again[header] == first[header]  # kept with the page


@pytest.mark.django_db
def test_matching_etag_or_date_answers_304_without_a_body(client, catalogue):
    page = client.get("/programme/hallenbad/")
    by_etag = client.get("/programme/hallenbad/", headers={"if-none-match": page["ETag"]})
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == page["ETag"]
    by_date = client.get(
        "/programme/hallenbad/", headers={"if-modified-since": page["Last-Modified"]}
    )
    assert by_date.status_code == 304
    other = client.get("/programme/hallenbad/", headers={"if-none-match": '"anders"'})
    assert other.status_code == 200


@pytest.mark.django_db
def test_an_admin_edit_is_visible_on_the_next_public_request(client, catalogue, today):
    assert "Hallenbad" in client.get("/programme/hallenbad/").content.decode()
    listing = client.get("/programme/")
    editor = Client()
    editor.force_login(make_editor())
    response = editor.post(
        admin_url("programmes.programme", "change", catalogue.pk),
        programme_post(
            title="Hallenbad und Freibad",
            slug="hallenbad",
            summary="Bäder sanieren.",
            publication="published",
            windows=[("", (today + timedelta(days=30)).isoformat())],
        ),
    )
    assert response.status_code == 302
    assert "Hallenbad und Freibad" in client.get("/programme/hallenbad/").content.decode()
    again = client.get("/programme/", headers={"if-none-match": listing["ETag"]})
    assert again.status_code == 200 and "Hallenbad und Freibad" in again.content.decode()


@pytest.mark.django_db
def test_writes_outside_the_admin_are_visible_at_once_too(client, catalogue):
    """Bulk updates, deleted child rows and raw SQL send no model signals; the database
    triggers see them all."""
    client.get("/programme/hallenbad/")
    Programme.objects.filter(pk=catalogue.pk).update(summary="Schwimmen lernen.")
    assert "Schwimmen lernen" in client.get("/programme/hallenbad/").content.decode()
    ApplicationWindow.objects.filter(programme=catalogue).delete()
    assert "Antrag möglich" not in client.get("/programme/hallenbad/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE programmes_topic SET name = 'Schwimmbäder' WHERE slug = 'baeder'")
    assert "Schwimmbäder" in client.get("/programme/hallenbad/").content.decode()


@pytest.mark.django_db
def test_a_bulk_generated_catalogue_is_visible_at_once(client, catalogue):
    call_command("load_catalogue")  # the vocabulary the generator draws from
    before = client.get("/programme/").context["total"]
    call_command("generate_catalogue", "--programmes", "30", "--seed", "5", "--force", stdout=None)
    assert client.get("/programme/").context["total"] > before


@pytest.mark.django_db
def test_editors_are_never_served_from_the_cache(client, catalogue):
    client.get("/programme/hallenbad/")
    client.force_login(make_editor())
    response, asked = queries(client, "/programme/hallenbad/")
    assert response.status_code == 200
    assert "Hallenbad" in response.content.decode()
    assert asked > 1
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_streamed_downloads_are_not_kept_nor_cost_a_version_query(client, catalogue):
    for _ in range(2):
        with CaptureQueriesContext(connection) as context:
            # Filtered: made live (without filters, the full dump answers, tests/test_dumps.py)
            response = client.get("/programme/export.csv?topic=baeder")
            assert b"Hallenbad" in b"".join(response.streaming_content)
        assert "ETag" not in response
        assert context.captured_queries  # built each time
        assert not any("catalogueversion" in q["sql"] for q in context.captured_queries)


@pytest.mark.django_db
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
)
def test_an_unreachable_redis_means_uncached_pages_not_errors(client, catalogue):
    from django.core.cache import cache

    assert cache.get("anything", "missing") == "missing"
    cache.set("anything", 1)  # dropped, no error
    for path in ["/", "/programme/", "/programme/hallenbad/", "/kommunen/iserlohn/"]:
        first, built = queries(client, path)
        assert first.status_code == 200
        again, asked = queries(client, path)
        assert again.status_code == 200 and asked > 1  # built again, not served


@pytest.mark.django_db
def test_every_public_table_moves_the_catalogue_version():
    tables = {
        model._meta.db_table
        for app in ("programmes", "municipalities")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical")
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'core_catalogue_changed'"
        )
        watched = {table for (table,) in cursor.fetchall()}
    assert tables <= watched, (
        f"no trigger on {sorted(tables - watched)} (a WatchTables migration of its app)"
    )


@pytest.mark.django_db
def test_static_files_are_hashed_compressed_and_kept_for_a_year(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.DEBUG = False
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.templatetags.static import static

    url = static("css/site.css")
    assert url != "/static/css/site.css" and url.endswith(".css")  # content hash in the name
    client = Client()  # a fresh handler: WhiteNoise reads the new STATIC_ROOT
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert not response.cookies


@pytest.mark.django_db(transaction=True)
def test_processes_hear_of_a_committed_change_without_asking():
    """The version comes from LISTEN/NOTIFY (no query per request); inside a transaction,
    which only its own connection can see, the row is read instead."""
    from core.cache import VersionWatch, current_version

    watch = VersionWatch()
    try:
        before = watch.current()
        make_topic("Schwimmen")  # committed at once (no transaction around this test)
        deadline = time.monotonic() + 5
        while watch.current() == before and time.monotonic() < deadline:
            time.sleep(0.01)
        heard = watch.current()
        assert heard.number > before.number
        with CaptureQueriesContext(connection) as context:
            watch.current()
        assert not context.captured_queries
        with transaction.atomic():
            make_topic("Tauchen")
            assert current_version().number > heard.number  # read from the row
    finally:
        watch.close()


def test_the_benchmark_floor_touches_no_database(rf):
    """Without the django_db mark, any query would fail this test."""
    from portal.views import floor

    response = floor(rf.get("/_bench/floor"))
    assert response.status_code == 200 and floor.page_cache is False
