"""The JSON API (/api/v1/): the list's filters, 400 contract, drafts, links, schema, queries."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.cache import forget_memos
from programmes.models import Programme
from tests.factories import (
    add_participation,
    make_funding_body,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_target_group,
    make_topic,
)

DAY = timedelta(days=1)


@pytest.fixture
def catalogue(db, today):
    """Open, running, closed and announced programmes, a draft, and a published programme
    whose parent and predecessor are drafts."""
    wohnen, klima = make_topic("Wohnen"), make_topic("Klima")
    vereine = make_target_group("Vereine")
    land, bund = make_funding_body("Land NRW", "land"), make_funding_body("Bund", "bund")
    principle = make_principle("Gemeinwohl vor Ort")
    chain = make_nrw_chain()
    wohnraum = make_programme(
        "Wohnraum für alle",
        summary="Zuschüsse für gemeinschaftliches Wohnen in Quartieren.",
        topics=[wohnen],
        target_groups=[vereine],
        funding_body=land,
        windows=[(today - DAY, today + 10 * DAY)],
    )
    wohnraum.principles.add(principle)
    add_participation(wohnraum, chain["iserlohn"], "partner")
    netzwerk = make_programme(
        "Klimanetzwerk Kommunen",
        summary="Austausch über Klimaschutz und Wohnungsbau.",
        topics=[wohnen, klima],
        funding_body=bund,
        kind=Programme.Kind.NETZWERK,
        level="bund",
    )
    add_participation(netzwerk, chain["wuppertal"], "leitkommune")
    make_programme("Gründächer", topics=[klima], funding_body=land, end_date=today - DAY)
    make_programme(
        "Ärztehaus-Qualifizierung",
        topics=[klima],
        funding_body=land,
        kind=Programme.Kind.QUALIFIZIERUNG,
        is_announced=True,
    )
    draft = make_programme(
        "Geheimer Entwurf",
        topics=[wohnen, klima],
        funding_body=land,
        publication=Programme.Publication.DRAFT,
        windows=[(None, today + 5 * DAY)],
    )
    draft.principles.add(principle)
    add_participation(draft, chain["iserlohn"], "modellkommune")
    make_programme("Kind eines Entwurfs", topics=[wohnen], parent=draft, predecessor=draft)
    return chain


def html_titles(client, query):
    response = client.get(f"/programme/?{query}")
    assert response.status_code == 200
    return [programme.title for programme in response.context["page"].object_list]


def api_titles(client, query):
    response = client.get(f"/api/v1/programmes/?{query}")
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=wohnen",
        "q=Klima",
        "topic=wohnen&topic=klima",
        "topic=klima",
        "status=closed",
        "status=open&status=announced",
        "municipality=05962",
        "municipality=wuppertal",
        "municipality=nordrhein-westfalen&level=bund",
        "funder=land-nrw&kind=qualifizierung&kind=foerderprogramm",
        "target_group=vereine",
        "principle=gemeinwohl-vor-ort",
        "deadline_before=IN_30_DAYS",
        "sort=deadline&status=open&status=running&status=closed",
        "sort=updated",
    ],
)
def test_api_filters_give_the_html_lists_programmes_in_its_order(client, catalogue, today, query):
    query = query.replace("IN_30_DAYS", (today + 30 * DAY).isoformat())
    assert api_titles(client, query) == html_titles(client, query)


def test_list_items_carry_status_next_deadline_and_absolute_links(client, catalogue, today):
    item = next(
        i
        for i in client.get("/api/v1/programmes/").json()["results"]
        if i["slug"] == "wohnraum-fur-alle"
    )
    assert item["status"] == "open"
    assert item["next_deadline"] == (today + 10 * DAY).isoformat()
    assert item["url"] == "http://testserver/api/v1/programmes/wohnraum-fur-alle/"
    assert item["html_url"] == "http://testserver/programme/wohnraum-fur-alle/"
    assert item["funder"]["url"] == "http://testserver/api/v1/funders/land-nrw/"
    assert [t["slug"] for t in item["topics"]] == ["wohnen"]
    assert datetime.fromisoformat(item["updated"]).utcoffset() is not None  # ISO 8601, zoned
    for link in (item["url"], item["funder"]["url"], item["topics"][0]["url"]):
        assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_pages_of_twenty_with_count_and_links(client, db):
    for number in range(25):
        make_programme(f"Programm {number:02d}")
    first = client.get("/api/v1/programmes/").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (25, 20, None)
    assert first["next"] == "http://testserver/api/v1/programmes/?page=2"
    second = client.get("/api/v1/programmes/?page=2").json()
    assert [i["title"] for i in second["results"]] == [f"Programm {n}" for n in range(20, 25)]
    assert second["previous"] == "http://testserver/api/v1/programmes/"
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("topic=gibt-es-nicht", "topic"),
        ("status=offen", "status"),
        ("kind=verein", "kind"),
        ("municipality=atlantis", "municipality"),
        ("deadline_before=31.12.2030", "deadline_before"),
        ("sort=zufall", "sort"),
        ("q=" + "x" * 201, "q"),
        ("page=zwei", "page"),
        ("page=7", "page"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter_as_the_html_list_does(
    client, catalogue, query, parameter
):
    response = client.get(f"/api/v1/programmes/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert [error["parameter"] for error in body["errors"]] == [parameter]
    assert body["errors"][0]["message"]
    html = client.get(f"/programme/?{query}")
    assert html.status_code == 400
    assert [error.parameter for error in html.context["errors"]] == [parameter]
    assert str(html.context["errors"][0].message) == body["errors"][0]["message"]


def test_municipality_list_uses_the_municipality_filters(client, catalogue):
    names = [m["name"] for m in client.get("/api/v1/municipalities/?region=059").json()["results"]]
    assert names == ["Iserlohn", "Märkischer Kreis"]
    keys = [m["key"] for m in client.get("/api/v1/municipalities/?q=0512").json()["results"]]
    assert keys == ["05124000"]
    bad = client.get("/api/v1/municipalities/?region=05962024")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["parameter"] == "region"


@pytest.mark.parametrize("ref", ["iserlohn", "05962024"])
def test_municipality_detail_by_slug_or_key_shows_its_hierarchy(client, catalogue, ref):
    body = client.get(f"/api/v1/municipalities/{ref}/").json()
    assert body["url"] == "http://testserver/api/v1/municipalities/05962024/"
    assert body["parent"]["key"] == "05962"
    assert [a["key"] for a in body["ancestors"]] == ["05", "059", "05962"]
    assert body["level"] == 3
    assert body["within_url"] is None
    assert body["programmes_url"] == "http://testserver/api/v1/programmes/?municipality=05962024"
    # The draft's participation stays hidden.
    assert [p["programme"]["title"] for p in body["participations"]] == ["Wohnraum für alle"]


def test_region_links_to_the_municipalities_within(client, catalogue):
    body = client.get("/api/v1/municipalities/05962/").json()
    assert body["within_url"] == "http://testserver/api/v1/municipalities/?region=05962"
    assert client.get("/api/v1/municipalities/?region=05962").json()["count"] == 1


def test_unknown_entries_answer_404_json(client, catalogue):
    for path in ("/api/v1/municipalities/99999999/", "/api/v1/topics/nichts/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "detail" in response.json()


def test_drafts_never_appear_in_the_api(client, catalogue):
    everything = "status=open&status=upcoming&status=running&status=closed&status=announced"
    titles = api_titles(client, everything)
    assert "Geheimer Entwurf" not in titles
    assert len(titles) == 5
    assert client.get("/api/v1/programmes/geheimer-entwurf/").status_code == 404
    child = client.get("/api/v1/programmes/kind-eines-entwurfs/").json()
    assert child["parent"] is None and child["predecessor"] is None
    topics = {
        t["slug"]: t["programme_count"] for t in client.get("/api/v1/topics/").json()["results"]
    }
    assert topics == {"klima": 3, "wohnen": 3}
    principle = client.get("/api/v1/principles/gemeinwohl-vor-ort/").json()
    programmes = client.get(principle["programmes_url"].removeprefix("http://testserver")).json()
    assert [p["title"] for p in programmes["results"]] == ["Wohnraum für alle"]


def test_programme_detail_shows_everything_with_iso_dates(client, catalogue, today):
    body = client.get("/api/v1/programmes/wohnraum-fur-alle/").json()
    assert body["application_windows"] == [
        {
            "id": body["application_windows"][0]["id"],
            "opens": (today - DAY).isoformat(),
            "closes": (today + 10 * DAY).isoformat(),
            "note": "",
        }
    ]
    assert body["participations"][0]["municipality"]["key"] == "05962024"
    assert body["principles"][0]["slug"] == "gemeinwohl-vor-ort"
    assert body["target_groups"][0]["slug"] == "vereine"
    assert body["calendar_url"] == "http://testserver/programme/wohnraum-fur-alle/fristen.ics"


def test_closed_programmes_keep_their_detail(client, catalogue, today):
    body = client.get("/api/v1/programmes/grundacher/").json()
    assert body["status"] == "closed"
    assert body["end_date"] == (today - DAY).isoformat()


def test_vocabularies_and_principles(client, catalogue):
    frameworks = client.get("/api/v1/frameworks/").json()["results"]
    assert frameworks[0]["principles"][0]["slug"] == "gemeinwohl-vor-ort"
    principle = client.get(frameworks[0]["principles"][0]["url"]).json()
    assert principle["framework"]["slug"] == "leitbild-test"
    funders = client.get("/api/v1/funders/").json()["results"]
    assert {f["slug"]: f["programme_count"] for f in funders} == {"bund": 1, "land-nrw": 3}
    groups = client.get("/api/v1/target-groups/vereine/").json()
    assert groups["programmes_url"].endswith("/api/v1/programmes/?target_group=vereine")


def test_cors_header_on_every_api_answer(client, catalogue):
    for path in (
        "/api/v1/",
        "/api/v1/programmes/",
        "/api/v1/programmes/wohnraum-fur-alle/",
        "/api/v1/municipalities/05/",
        "/api/v1/openapi.json",
    ):
        assert client.get(path)["Access-Control-Allow-Origin"] == "*", path
    preflight = client.options(
        "/api/v1/programmes/", headers={"Access-Control-Request-Method": "GET", "Origin": "x"}
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_the_api_is_read_only(client, catalogue):
    response = client.post("/api/v1/programmes/", {"title": "Neu"})
    assert response.status_code == 405
    assert Programme.objects.filter(title="Neu").count() == 0


def _queries(client, path):
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_list_queries_do_not_grow_with_the_rows(client, db, django_assert_max_num_queries):
    topic = make_topic("Wohnen")
    funder = make_funding_body("Land NRW")
    make_programme("Erstes", topics=[topic], funding_body=funder)
    path = "/api/v1/programmes/?topic=wohnen&q=Programm"
    few = _queries(client, "/api/v1/programmes/?topic=wohnen")
    for number in range(30):
        make_programme(f"Programm {number}", topics=[topic], funding_body=funder)
    # catalogue version (page cache), topic lookup, catalogue index and synonyms (once per
    # version of the catalogue: here it just changed), the search, ids of the page, their rows,
    # their topics
    with django_assert_max_num_queries(8):
        response = client.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 30 and len(body["results"]) == 20
    assert all(item["topics"][0]["slug"] == "wohnen" for item in body["results"])
    forget_memos()  # as cold as the first count
    assert _queries(client, "/api/v1/programmes/?topic=wohnen") == few
    make_nrw_chain()
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/municipalities/")
    assert response.status_code == 200
    assert response.json()["count"] == 6


def test_detail_queries_are_bounded(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/programmes/wohnraum-fur-alle/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Wohnraum für alle"
    assert [p["municipality"]["key"] for p in body["participations"]] == ["05962024"]
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/municipalities/iserlohn/")
    assert response.status_code == 200
    body = response.json()
    assert body["key"] == "05962024"
    assert [p["programme"]["title"] for p in body["participations"]] == ["Wohnraum für alle"]


# --- the OpenAPI document ---------------------------------------------------------------------


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_describes_every_endpoint(db, openapi):
    assert openapi["openapi"].startswith("3.")
    assert set(openapi["paths"]) == {
        f"/api/v1/{name}/{suffix}"
        for name, lookup in [
            ("programmes", "{slug}"),
            ("municipalities", "{ref}"),
            ("frameworks", "{slug}"),
            ("principles", "{slug}"),
            ("topics", "{slug}"),
            ("target-groups", "{slug}"),
            ("funders", "{slug}"),
        ]
        for suffix in ("", f"{lookup}/")
    }
    parameters = {p["name"] for p in openapi["paths"]["/api/v1/programmes/"]["get"]["parameters"]}
    assert parameters == {
        "q",
        "topic",
        "target_group",
        "funder",
        "level",
        "kind",
        "status",
        "municipality",
        "open_to",
        "principle",
        "deadline_before",
        "sort",
        "page",
    }


def test_docs_are_served_from_the_portal_without_a_cdn(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    # The start script comes from its own URL, not inline (Content-Security-Policy).
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"] == "application/javascript"
    assert "/api/v1/openapi.json" in script.content.decode()


@pytest.fixture
def wsgi_schema(openapi, settings):
    """The document, loaded by schemathesis, calling the portal's WSGI app in-process.

    As with Django's test client, a request's start and end must not close the connection that
    holds the test's transaction.
    """
    schemathesis = pytest.importorskip("schemathesis")
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    schema = schemathesis.openapi.from_dict(openapi)
    schema.app = WSGIHandler()
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schema
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


PATH_VALUES = {"slug": None, "ref": "05962024"}
SLUGS = {
    "programmes": "wohnraum-fur-alle",
    "frameworks": "leitbild-test",
    "principles": "gemeinwohl-vor-ort",
    "topics": "wohnen",
    "target-groups": "vereine",
    "funders": "land-nrw",
}


def test_every_path_answers_as_its_schema_declares(catalogue, wsgi_schema):
    checked = 0
    for result in wsgi_schema.get_all_operations():
        operation = result.ok()
        parameters = {}
        if "{slug}" in operation.path:
            parameters["slug"] = SLUGS[operation.path.split("/")[3]]
        if "{ref}" in operation.path:
            parameters["ref"] = PATH_VALUES["ref"]
        for query in ({}, {"page": "99"}) if not parameters else ({},):
            case = operation.Case(path_parameters=parameters, query=query)
            response = case.call(app=wsgi_schema.app)
            assert response.status_code == (200 if not query else 400), operation.path
            case.validate_response(response)
            checked += 1
    assert checked == 21


@pytest.mark.parametrize("path", ["/api/v1/programmes/", "/api/v1/municipalities/"])
def test_generated_list_queries_never_break_the_contract(catalogue, wsgi_schema, path):
    """Schemathesis invents query strings; each answer is a declared 200 or 400."""
    hypothesis = pytest.importorskip("hypothesis")
    from schemathesis.checks import positive_data_acceptance

    operation = wsgi_schema[path]["GET"]

    @hypothesis.settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def check(case):
        response = case.call(app=wsgi_schema.app)
        assert response.status_code in (200, 400)
        # A schema-valid slug may still name nothing (a 400 by design), so the check that
        # every schema-valid request succeeds does not apply; the others all do.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    check()
