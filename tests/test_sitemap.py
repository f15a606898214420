"""Sitemap, robots.txt and the DCAT-AP.de catalogue of the open data."""

import json
from xml.etree import ElementTree

import pytest
from django.conf import settings

from programmes.models import Programme
from tests.factories import (
    add_participation,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_topic,
)

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def catalogue(db):
    chain = make_nrw_chain()
    topic = make_topic("Klima")
    published = make_programme("Klimaschutz vor Ort", topics=[topic])
    draft = make_programme("Geheimer Entwurf", publication=Programme.Publication.DRAFT)
    add_participation(published, chain["iserlohn"])
    add_participation(draft, chain["wuppertal"])
    make_principle("Gemeinwohl vor Ort")
    return chain


def locations(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    return [element.text for element in root.iterfind(".//s:loc", NS)]


def all_sitemap_locations(client):
    sections = locations(client, "/sitemap.xml")
    assert sections == [
        f"http://testserver/sitemap-{name}.xml"
        for name in ("seiten", "programme", "kommunen", "leitsaetze", "themen")
    ]
    return {
        loc: section
        for section in sections
        for loc in locations(client, section.removeprefix("http://testserver"))
    }


def test_sitemap_lists_every_public_page_and_no_draft(client, catalogue):
    urls = all_sitemap_locations(client)
    assert "http://testserver/programme/klimaschutz-vor-ort/" in urls
    assert "http://testserver/programme/geheimer-entwurf/" not in urls
    # Municipalities that take part in a published programme; not one only in a draft.
    assert "http://testserver/kommunen/iserlohn/" in urls
    assert "http://testserver/kommunen/wuppertal/" not in urls
    assert "http://testserver/leitbild/gemeinwohl-vor-ort/" in urls
    assert "http://testserver/themen/klima/" in urls
    for page in ("/", "/programme/", "/kommunen/", "/leitbild/", "/themen/", "/impressum/"):
        assert f"http://testserver{page}" in urls
    for url in urls:
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_sitemap_index_needs_no_row_by_row_queries(
    client, catalogue, django_assert_max_num_queries
):
    for number in range(30):
        make_programme(f"Programm {number}")
    with django_assert_max_num_queries(8):  # a count and a latest change per section
        response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    sections = [element.text for element in root.iterfind(".//s:loc", NS)]
    assert "http://testserver/sitemap-programme.xml" in sections
    assert len(sections) == 5
    programmes = locations(client, "/sitemap-programme.xml")
    assert len(programmes) == 31  # the published one and the thirty, not the draft
    assert "http://testserver/programme/programm-29/" in programmes


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    assert "Disallow: /programme/export." in text.splitlines()


@pytest.fixture
def dcat(client, catalogue):
    response = client.get("/opendata/dcat.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def test_dcat_catalogue_describes_the_open_data(dcat):
    assert dcat["@type"] == "dcat:Catalog"
    assert dcat["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert dcat["dct:title"]["@value"] == "Kommunalkompass NRW"
    assert dcat["dct:publisher"]["foaf:name"]
    assert dcat["dct:license"]["@id"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    dataset, places = dcat["dcat:dataset"]
    assert dataset["@type"] == places["@type"] == "dcat:Dataset"
    attribution = places["dcatde:licenseAttributionByText"]
    assert "© Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand" in attribution
    assert "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0" in attribution
    assert dataset["dct:license"]["@id"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert [k["@value"] for k in dataset["dcat:keyword"]] == ["Klima"]
    formats = [d["dct:format"]["@id"].rsplit("/", 1)[1] for d in dataset["dcat:distribution"]]
    assert formats == ["JSON", "CSV", "XLSX", "JSON", "ATOM", "ICS"]  # API, dumps, feed, calendar


def test_every_distribution_can_be_fetched(client, dcat):
    distributions = [d for dataset in dcat["dcat:dataset"] for d in dataset["dcat:distribution"]]
    assert len(distributions) == 7
    for distribution in distributions:
        assert distribution["dct:license"]["@id"].endswith("dl-by-de/2.0")
        for key in ("dcat:accessURL", "dcat:downloadURL"):
            url = distribution[key]["@id"]
            assert url.startswith(settings.SITE_URL)
            response = client.get(url.removeprefix(settings.SITE_URL))
            assert response.status_code == 200, url
