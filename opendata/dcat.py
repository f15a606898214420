"""DCAT-AP.de metadata of the open data, as JSON-LD (/opendata/dcat.jsonld).

One dcat:Catalog with two datasets: the programme catalogue with its distributions (the JSON
API, CSV, XLSX and JSON full dumps, the Atom feed and the iCalendar deadlines), and the
municipalities of NRW with the official figures and outlines they carry (attributed to
Destatis and the BKG). Licence:
Datenlizenz Deutschland – Namensnennung – Version 2.0, by its URI in the DCAT-AP.de licence
vocabulary.
Addresses are absolute, built from SITE_URL, so harvesters get the public ones.
"""

from django.conf import settings
from django.db.models import Max
from django.urls import reverse

from municipalities.attribution import BKG, register_attribution
from municipalities.nrw_data import register_edition
from programmes.models import Programme, Topic

LICENSE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
LICENSE_TEXT = "https://www.govdata.de/dl-de/by-2-0"
ATTRIBUTION = "Kommunalkompass NRW"
PUBLISHER_NAME = "Kommunalkompass NRW – Redaktion"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
NRW = "http://dcat-ap.de/def/politicalGeocoding/stateKey/05"

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _de(text: str) -> dict:
    return {"@value": text, "@language": "de"}


def _id(uri: str) -> dict:
    return {"@id": uri}


def _distribution(
    url: str,
    title: str,
    description: str,
    file_type: str,
    media_type: str,
    attribution: str = ATTRIBUTION,
):
    return {
        "@id": f"{url}#distribution",
        "@type": "dcat:Distribution",
        "dct:title": _de(title),
        "dct:description": _de(description),
        "dcat:accessURL": _id(url),
        "dcat:downloadURL": _id(url),
        "dct:format": _id(FILE_TYPE + file_type),
        "dcat:mediaType": _id(MEDIA_TYPE + media_type),
        "dct:license": _id(LICENSE),
        "dcatde:licenseAttributionByText": attribution,
    }


def _municipalities_dataset(site: str, url, publisher: dict) -> dict:
    attribution = f"{register_attribution(register_edition()[0])}; {BKG}; {ATTRIBUTION}"
    return {
        "@id": f"{site}/opendata/kommunen#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{site}/opendata/kommunen",
        "dct:title": _de("Kommunen in Nordrhein-Westfalen"),
        "dct:description": _de(
            "Land, Regierungsbezirke, Kreise und Gemeinden mit amtlichem Schlüssel, "
            "Einwohnerzahl, Fläche, Postleitzahl und vereinfachtem Umriss, dazu die Programme, "
            "an denen sie teilnehmen."
        ),
        "dct:publisher": publisher,
        "dcat:landingPage": _id(url("municipalities:municipality-list")),
        "dct:spatial": _id(NRW),
        "dct:source": [_id("https://www.destatis.de"), _id("https://gdz.bkg.bund.de")],
        "dct:license": _id(LICENSE),
        "dcatde:licenseAttributionByText": attribution,
        "dcat:distribution": [
            _distribution(
                url("opendata:api-municipality-list"),
                "Kommunen als JSON (API v1)",
                "Jede Kommune einzeln mit Umriss als GeoJSON-Geometrie.",
                "JSON",
                "application/json",
                attribution,
            )
        ],
    }


def catalogue() -> dict:
    site = settings.SITE_URL

    def url(name: str) -> str:
        return site + reverse(name)

    latest = Programme.objects.published().aggregate(latest=Max("updated"))["latest"]
    modified = {"@value": latest.isoformat(), "@type": "xsd:dateTime"} if latest else None
    publisher = {
        "@id": f"{site}/#publisher",
        "@type": "foaf:Organization",
        "foaf:name": PUBLISHER_NAME,
        "foaf:homepage": _id(site + "/"),
    }
    api = url("opendata:api-root")
    dataset = {
        "@id": f"{site}/opendata/programme#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{site}/opendata/programme",
        "dct:title": _de("Programme für Kommunen in Nordrhein-Westfalen"),
        "dct:description": _de(
            "Förderprogramme, Qualifizierungen, Forschungsförderung, Modellvorhaben, Netzwerke "
            "und Services für Kommunen in NRW: Fördergeber, Themen, Zielgruppen, Antragsfristen, "
            "teilnehmende Kommunen und Leitsätze. Redaktionell gepflegt; maßgeblich sind die "
            "Seiten der Fördergeber."
        ),
        "dct:publisher": publisher,
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": PUBLISHER_NAME,
            "vcard:hasURL": _id(url("impressum")),
        },
        "dcat:landingPage": _id(url("programmes:programme-list")),
        "dcat:theme": [
            _id("http://publications.europa.eu/resource/authority/data-theme/GOVE"),
            _id("http://publications.europa.eu/resource/authority/data-theme/ECON"),
        ],
        "dcat:keyword": [_de(name) for name in Topic.objects.values_list("name", flat=True)],
        "dct:spatial": _id(NRW),
        "dcatde:politicalGeocodingLevelURI": _id(
            "http://dcat-ap.de/def/politicalGeocodingLevel/state"
        ),
        "dcatde:politicalGeocodingURI": _id(NRW),
        "dct:language": _id("http://publications.europa.eu/resource/authority/language/DEU"),
        "dct:accrualPeriodicity": _id(
            "http://publications.europa.eu/resource/authority/frequency/CONT"
        ),
        "dct:license": _id(LICENSE),
        "dct:accessRights": _id(
            "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
        ),
        "dcat:distribution": [
            {
                **_distribution(
                    api,
                    "JSON-API (v1)",
                    "Lesende REST-API mit denselben Filtern wie die Programmliste; "
                    f"OpenAPI-Beschreibung: {url('opendata:openapi')}",
                    "JSON",
                    "application/json",
                ),
                "dcat:downloadURL": _id(url("opendata:api-programme-list")),
                "dct:conformsTo": _id(url("opendata:openapi")),
            },
            _distribution(
                url("opendata:export-csv"),
                "Programmliste als CSV",
                "Ohne Parameter alle veröffentlichten Programme (Gesamtdatei, einmal je "
                "Katalogstand erstellt). UTF-8 mit BOM, Komma-getrennt; ?delimiter=semicolon für "
                "deutsches Excel. Nimmt die Filter der Programmliste als Parameter (bis "
                f"{settings.EXPORT_MAX_ROWS} Zeilen).",
                "CSV",
                "text/csv",
            ),
            _distribution(
                url("opendata:export-xlsx"),
                "Programmliste als Excel-Datei (XLSX)",
                "Dieselben Spalten und Parameter wie die CSV-Datei.",
                "XLSX",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            _distribution(
                url("opendata:export-json"),
                "Alle veröffentlichten Programme als JSON (Gesamtdatei)",
                "Die Felder der API, flach; einmal je Katalogstand erstellt.",
                "JSON",
                "application/json",
            ),
            _distribution(
                url("opendata:programme-feed"),
                "Atom-Feed neuer und geänderter Programme",
                "Die 50 zuletzt geänderten Programme, filterbar wie die Programmliste.",
                "ATOM",
                "application/atom+xml",
            ),
            _distribution(
                url("opendata:deadline-ics"),
                "Antragsfristen als iCalendar",
                "Ein ganztägiger Termin je Antragsfrist, filterbar wie die Programmliste.",
                "ICS",
                "text/calendar",
            ),
        ],
    }
    if modified:
        dataset["dct:modified"] = modified
    catalog = {
        "@context": CONTEXT,
        "@id": f"{site}{reverse('opendata:dcat')}#catalog",
        "@type": "dcat:Catalog",
        "dct:title": _de("Kommunalkompass NRW"),
        "dct:description": _de(
            "Offene Daten des Kommunalkompass NRW: Programme, Förderungen und Netzwerke für "
            "Kommunen in Nordrhein-Westfalen."
        ),
        "dct:publisher": publisher,
        "dct:license": _id(LICENSE),
        "dct:rights": _id(LICENSE_TEXT),
        "dct:language": _id("http://publications.europa.eu/resource/authority/language/DEU"),
        "foaf:homepage": _id(site + "/"),
        "dcat:dataset": [dataset, _municipalities_dataset(site, url, publisher)],
    }
    if modified:
        catalog["dct:modified"] = modified
    return catalog
