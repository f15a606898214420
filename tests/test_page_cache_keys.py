"""What the page cache keys a page by: the parameters its view reads, normalised, and the
headers it varies on; unknown parameters make no new entry, a large page is served but not
kept, and a sitemap page is rendered once per catalogue version."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from core.page_cache import query_parameters
from tests.factories import add_participation, make_nrw_chain, make_programme, make_topic

HERE = "tests.test_page_cache_keys"
renders = []


@query_parameters("q")
def echo(request):
    """Says what it was given; counts its renders."""
    renders.append(request.get_full_path())
    response = HttpResponse(f"q={request.GET.getlist('q')} all={sorted(request.GET)}")
    if "vary" in request.path:
        response["Vary"] = "Accept-Language"
        response.write(f" lang={request.headers.get('Accept-Language', '')}")
    if "star" in request.path:
        response["Vary"] = "*"
    return response


def undeclared(request):
    renders.append(request.get_full_path())
    return HttpResponse(f"all={sorted(request.GET)}")


urlpatterns = [
    path("echo/", echo),
    path("echo/vary/", echo),
    path("echo/star/", echo),
    path("undeclared/", undeclared),
    path("", include("portal.urls")),
]


@pytest.fixture
def catalogue(db, today):
    chain = make_nrw_chain()
    baeder = make_topic("Bäder", slug="baeder")
    programme = make_programme(
        "Hallenbad",
        summary="Bäder sanieren.",
        topics=[baeder, make_topic("Sport", slug="sport")],
        windows=[(None, today + timedelta(days=30))],
    )
    add_participation(programme, chain["iserlohn"], "projektstandort")
    return programme


@pytest.fixture
def own_views():
    renders.clear()
    with override_settings(ROOT_URLCONF=HERE):
        yield renders


def entries() -> int:
    return len(caches["default"]._cache)  # the local-memory cache of the tests


def get(client, address, **headers):
    with CaptureQueriesContext(connection) as context:
        response = client.get(address, headers=headers)
    return response, len(context.captured_queries)


UNKNOWN = [
    "/",
    "/programme/",
    "/programme/?q=Bad",
    "/programme/hallenbad/",
    "/kommunen/",
    "/kommunen/iserlohn/",
    "/themen/baeder/",
    "/impressum/",
    "/api/v1/programmes/",
    "/api/v1/programmes/hallenbad/",
    "/programme/feed/",
    "/sitemap.xml",
    "/sitemap-programme.xml",
]


@pytest.mark.django_db
@pytest.mark.parametrize("address", UNKNOWN)
def test_unknown_parameters_make_no_new_entry(client, catalogue, address):
    first = client.get(address)
    assert first.status_code == 200
    kept = entries()
    assert kept >= 1
    glue = "&" if "?" in address else "?"
    for number in range(5):
        again, asked = get(client, f"{address}{glue}x{number}=zufall{number}&utm_source=n")
        assert again.status_code == 200
        assert asked == 1  # the catalogue version: served from the entry
        assert again.content == first.content
    assert entries() == kept


@pytest.mark.django_db
def test_a_view_sees_only_its_own_parameters(client, catalogue):
    page = client.get("/programme/?q=Bad&fremd=%3Cb%3E&topic=baeder").content.decode()
    assert "fremd" not in page  # neither in the sort form's hidden fields nor in links
    assert 'name="topic" value="baeder"' in page


@pytest.mark.django_db
def test_the_same_filters_in_any_spelling_are_one_entry(client, catalogue):
    first = client.get("/programme/?q=Bad&topic=baeder&topic=sport")
    assert first.status_code == 200
    kept = entries()
    for spelling in [
        "/programme/?topic=sport&q=Bad&topic=baeder",
        "/programme/?topic=sport&topic=baeder&topic=sport&q=Bad",
    ]:
        again, asked = get(client, spelling)
        assert (again.status_code, asked) == (200, 1), spelling
        assert again.content == first.content
    # Empty values lead to the same address without them, before anything is looked up.
    for spelling, clean in [
        (
            "/programme/?topic=baeder&topic=sport&q=Bad&municipality=&deadline_before=&page=",
            "/programme/?topic=baeder&topic=sport&q=Bad",
        ),
        (
            "/programme/?status=&q=Bad&topic=&topic=baeder&topic=sport",
            "/programme/?q=Bad&topic=baeder&topic=sport",
        ),
    ]:
        moved, asked = get(client, spelling)
        assert (moved.status_code, moved["Location"], asked) == (302, clean, 0), spelling
        again, asked = get(client, clean)
        assert (again.status_code, asked, again.content) == (200, 1, first.content)
    assert entries() == kept


@pytest.mark.django_db
def test_a_page_that_depends_on_a_parameter_is_never_served_without_it(client, catalogue):
    searched = client.get("/programme/?q=Hallenbad").content.decode()
    unfiltered, asked = get(client, "/programme/")
    assert asked > 1  # built, not taken from the search's entry
    assert 'value="Hallenbad"' in searched
    assert 'value="Hallenbad"' not in unfiltered.content.decode()
    second, _ = get(client, "/programme/?page=2")
    assert second.status_code == 400  # one page only: the page number counts


def test_a_view_that_names_no_parameters_is_kept_only_without_a_query(client, db, own_views):
    client.get("/undeclared/")
    client.get("/undeclared/")
    assert own_views == ["/undeclared/"]
    for number in range(3):
        response = client.get(f"/undeclared/?x={number}")
        assert response.content == f"all={['x']}".encode()  # it sees what was sent
    assert own_views == ["/undeclared/"] + [f"/undeclared/?x={n}" for n in range(3)]
    assert entries() == 1


@pytest.mark.django_db
def test_the_headers_a_page_varies_on_are_part_of_its_key(client, db, own_views):
    german = client.get("/echo/vary/?q=a", headers={"accept-language": "de"})
    english = client.get("/echo/vary/?q=a", headers={"accept-language": "en"})
    assert german.content.endswith(b"lang=de") and english.content.endswith(b"lang=en")
    again = client.get("/echo/vary/?q=a&x=1", headers={"accept-language": "en"})
    assert again.content == english.content
    none = client.get("/echo/vary/?q=a")
    assert none.content.endswith(b"lang=")
    assert own_views == ["/echo/vary/?q=a"] * 3  # de, en, none; the second en was kept


@pytest.mark.django_db
def test_a_page_that_varies_on_everything_is_not_kept(client, db, own_views):
    for _ in range(2):
        assert client.get("/echo/star/").status_code == 200
    assert len(own_views) == 2 and entries() == 0


@pytest.mark.django_db
def test_a_page_beyond_the_size_limit_is_served_but_not_kept(client, db, own_views, settings):
    settings.PAGE_CACHE_MAX_BYTES = 20
    short = client.get("/echo/")  # "q=[] all=[]": 11 bytes
    long = client.get("/echo/?q=ein-langer-suchbegriff")
    assert entries() == 1
    again = client.get("/echo/?q=ein-langer-suchbegriff")
    assert again.content == long.content and len(own_views) == 3
    assert long["ETag"] and short["ETag"]
    unchanged = client.get(
        "/echo/?q=ein-langer-suchbegriff", headers={"if-none-match": long["ETag"]}
    )
    assert unchanged.status_code == 304


@pytest.mark.django_db
def test_a_sitemap_page_is_built_once_per_catalogue_version(client, catalogue, settings):
    settings.PAGE_CACHE_MAX_BYTES = 0  # not kept by the page cache: the sitemap's own memo
    first, built = get(client, "/sitemap-programme.xml")
    again, asked = get(client, "/sitemap-programme.xml")
    assert asked == 1 < built  # the catalogue version only
    assert again.content == first.content
    assert b"<loc>http://testserver/programme/hallenbad/</loc>" in first.content
    other_host, asked = get(client, "/sitemap-programme.xml", host="localhost")
    assert asked == 1
    assert b"<loc>http://localhost/programme/hallenbad/</loc>" in other_host.content
    ElementTree.fromstring(other_host.content)
    make_programme("Freibad")  # a new catalogue version
    changed = client.get("/sitemap-programme.xml").content
    assert b"/programme/freibad/" in changed
    for address in ["/sitemap-programme.xml?p=2", "/sitemap-programme.xml?p=x", "/sitemap-x.xml"]:
        assert client.get(address).status_code == 404


@pytest.mark.django_db
def test_the_api_docs_still_load_their_script(client, db):
    page = client.get("/api/v1/docs/?lang=xx")
    assert page.status_code == 200 and b"?script=" in page.content
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_public_view_names_its_parameters(settings):
    """A view that does not would be kept only when asked without a query string."""
    unnamed = [
        route
        for route, view in _views(get_resolver().url_patterns)
        if not route.startswith(settings.ADMIN_URL)
        and getattr(view, "page_cache", True)
        and getattr(view, "query_parameters", None) is None
    ]
    assert unnamed == []


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=HERE)
def test_only_the_benchmark_server_measures_uncached_pages_with_bench(client, settings):
    renders.clear()
    for number in range(2):
        assert client.get(f"/echo/?q=bad&bench={number}").status_code == 200
    assert len(renders) == 1  # ?bench= is an unknown parameter like any other: served kept
    settings.BENCH_FLOOR = True
    for number in range(2):
        assert client.get(f"/echo/?q=bad&bench={number}").status_code == 200
    assert len(renders) == 3  # the benchmark's server builds each one
    assert renders[-1] == "/echo/?q=bad"  # and the view still sees only what it reads
