"""CSV and XLSX downloads of the filtered programme list: columns, encodings, streaming."""

import csv
import io
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from opendata import exports
from programmes.models import Programme, Topic
from tests.factories import make_funding_body, make_programme, make_target_group, make_topic

DAY = timedelta(days=1)
HEADER = [
    "Titel",
    "Kurzname",
    "Kurzbeschreibung",
    "Art",
    "Ebene",
    "Status",
    "Nächste Antragsfrist",
    "Fördergeber",
    "Themen",
    "Zielgruppen",
    "Höchstförderung (EUR)",
    "Förderquote (%)",
    "Beginn",
    "Ende",
    "Offizielle Seite",
    "Seite im Kommunalkompass",
    "Kurzadresse",
    "Zuletzt aktualisiert",
    "Angaben geprüft am",
]


@pytest.fixture
def catalogue(db, today):
    grün, straße = make_topic("Grünflächen"), make_topic("Straßenbau")
    bürger = make_target_group("Bürgerinitiativen")
    land = make_funding_body("Ministerium für Heimat, Kommunales, Bau und Digitalisierung")
    make_programme(
        "Ärztehäuser für Dörfer",
        short_name="ÄfD",
        summary="Förderung für Gemeinschaftspraxen; „gemeinsam“, mit Zuschuss.\nZweite Zeile.",
        topics=[grün, straße],
        target_groups=[bürger],
        funding_body=land,
        max_grant=Decimal("12500.50"),
        funding_rate=Decimal("80.00"),
        start_date=date(2024, 1, 1),
        website="https://www.land.nrw/foerderung",
        windows=[(today - DAY, today + 10 * DAY)],
    )
    make_programme("Öffentliche Straßen", topics=[straße], level="bund")
    make_programme("=SUMME(A1)", slug="formel", summary="-Trickreich", topics=[grün])
    make_programme("Beendet", topics=[grün], end_date=today - DAY)
    make_programme("Entwurf Übersicht", topics=[grün], publication=Programme.Publication.DRAFT)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response, delimiter=","):
    return csv_rows_of(streamed(response), delimiter)


def csv_rows_of(raw: bytes, delimiter=","):
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def html_titles(client, query):
    return [p.title for p in client.get(f"/programme/?{query}").context["page"].object_list]


class TestCsv:
    def test_starts_with_a_bom_and_the_documented_header(self, client, catalogue, today):
        response = client.get("/programme/export.csv")
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
        assert response["Content-Disposition"] == (
            f'attachment; filename="kommunalkompass-programme-{today.isoformat()}.csv"'
        )
        raw = streamed(response)
        assert raw.startswith(b"\xef\xbb\xbfTitel,Kurzname,")
        assert b"\r\n" in raw
        assert csv_rows(client.get("/programme/export.csv"))[0] == HEADER

    def test_umlauts_quotes_and_newlines_survive_a_round_trip(self, client, catalogue, today):
        rows = csv_rows(client.get("/programme/export.csv?q=Ärztehäuser"))
        assert len(rows) == 2
        row = dict(zip(HEADER, rows[1], strict=True))
        assert row["Titel"] == "Ärztehäuser für Dörfer"
        assert row["Kurzname"] == "ÄfD"
        assert row["Kurzbeschreibung"] == (
            "Förderung für Gemeinschaftspraxen; „gemeinsam“, mit Zuschuss.\nZweite Zeile."
        )
        assert row["Themen"] == "Grünflächen; Straßenbau"
        assert row["Zielgruppen"] == "Bürgerinitiativen"
        assert row["Fördergeber"] == "Ministerium für Heimat, Kommunales, Bau und Digitalisierung"
        assert row["Art"] == "Förderprogramm"
        assert row["Status"] == "Antrag möglich"
        assert row["Nächste Antragsfrist"] == (today + 10 * DAY).isoformat()
        assert row["Höchstförderung (EUR)"] == "12500.5"
        assert row["Förderquote (%)"] == "80"
        assert row["Beginn"] == "2024-01-01"
        assert row["Ende"] == ""
        assert row["Seite im Kommunalkompass"] == (
            "http://testserver/programme/arztehauser-fur-dorfer/"
        )
        updated = Programme.objects.get(slug="arztehauser-fur-dorfer").updated
        assert row["Zuletzt aktualisiert"] == timezone.localdate(updated).isoformat()

    def test_semicolon_variant_for_german_excel_uses_decimal_commas(self, client, catalogue):
        response = client.get("/programme/export.csv?q=Ärztehäuser&delimiter=semicolon")
        raw = streamed(response)
        assert raw.startswith("\ufeffTitel;Kurzname;".encode())
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        row = dict(zip(HEADER, rows[1], strict=True))
        assert row["Höchstförderung (EUR)"] == "12500,5"
        assert row["Titel"] == "Ärztehäuser für Dörfer"

    def test_rows_are_the_lists_programmes_in_its_order(self, client, catalogue):
        # Without parameters the full dump answers, ended programmes included (test_dumps.py).
        queries = ["sort=title", "topic=grunflachen", "status=closed&status=open", "sort=updated"]
        for query in queries:
            rows = csv_rows(client.get(f"/programme/export.csv?{query}"))
            exported = [row[0].removeprefix("'") for row in rows[1:]]
            assert exported == html_titles(client, query), query

    def test_cells_excel_would_run_as_formulas_are_defused(self, client, catalogue):
        rows = csv_rows(client.get("/programme/export.csv?q=Trickreich"))
        assert rows[1][0] == "'=SUMME(A1)"
        assert rows[1][2] == "'-Trickreich"

    def test_drafts_are_never_exported(self, client, catalogue):
        everything = "status=open&status=upcoming&status=running&status=closed&status=announced"
        text = streamed(client.get(f"/programme/export.csv?{everything}")).decode("utf-8-sig")
        assert "Entwurf" not in text
        assert "Beendet" in text

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [("delimiter=tab", "delimiter"), ("topic=unbekannt", "topic"), ("status=x", "status")],
    )
    def test_bad_parameters_answer_400_json(self, client, catalogue, query, parameter):
        response = client.get(f"/programme/export.csv?{query}")
        assert response.status_code == 400
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json()["errors"][0]["parameter"] == parameter

    def test_cors_header(self, client, catalogue):
        assert client.get("/programme/export.csv")["Access-Control-Allow-Origin"] == "*"


class TestXlsx:
    def workbook(self, response):
        assert response["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return load_workbook(io.BytesIO(streamed(response)))

    def test_same_columns_with_typed_cells_and_umlauts(self, client, catalogue, today):
        response = client.get("/programme/export.xlsx?q=Ärztehäuser")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "kommunalkompass-programme-" in response["Content-Disposition"]
        sheet = self.workbook(response).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == HEADER
        row = dict(zip(HEADER, rows[1], strict=True))
        assert row["Titel"] == "Ärztehäuser für Dörfer"
        assert row["Themen"] == "Grünflächen; Straßenbau"
        assert row["Höchstförderung (EUR)"] == pytest.approx(12500.5)
        assert row["Beginn"] == datetime(2024, 1, 1)
        assert row["Nächste Antragsfrist"] == datetime.combine(
            today + 10 * DAY, datetime.min.time()
        )
        assert row["Ende"] is None
        assert sheet.freeze_panes == "A2"

    def test_rows_match_the_csv(self, client, catalogue):
        csv_titles = [r[0].removeprefix("'") for r in csv_rows(client.get("/programme/export.csv"))]
        sheet = self.workbook(client.get("/programme/export.xlsx")).active
        assert [row[0] for row in sheet.iter_rows(values_only=True)] == csv_titles

    def test_text_that_looks_like_a_formula_stays_text(self, client, catalogue):
        sheet = self.workbook(client.get("/programme/export.xlsx?q=Trickreich")).active
        cell = sheet["A2"]
        assert (cell.value, cell.data_type) == ("=SUMME(A1)", "s")

    def test_drafts_are_never_exported(self, client, catalogue):
        sheet = self.workbook(client.get("/programme/export.xlsx?status=closed")).active
        assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Beendet"]

    def test_bad_parameter_answers_400_json(self, client, catalogue):
        response = client.get("/programme/export.xlsx?kind=verein")
        assert response.status_code == 400
        assert response.json()["errors"][0]["parameter"] == "kind"


def test_programme_list_offers_its_downloads_with_the_current_filters(client, catalogue):
    html = client.get("/programme/?topic=grunflachen&page=1").content.decode()
    assert "Abonnieren und herunterladen" in html
    assert 'href="/programme/export.csv?topic=grunflachen"' in html
    assert 'href="/programme/export.csv?topic=grunflachen&amp;delimiter=semicolon"' in html
    assert 'href="/programme/export.xlsx?topic=grunflachen"' in html
    assert 'href="/programme/feed/?topic=grunflachen"' in html
    assert 'href="/programme/fristen.ics?topic=grunflachen"' in html


def _export_queries(client, path) -> tuple[int, bytes]:
    """Queries of one download, and the download (checked to be one)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
        body = streamed(response)
    assert response.status_code == 200, body[:500]
    assert "attachment" in response["Content-Disposition"]
    return len(context.captured_queries), body


def _add_programmes(count, topic, start=0):
    programmes = Programme.objects.bulk_create(
        Programme(
            title=f"Massenprogramm {n}",
            slug=f"massenprogramm-{n}",
            summary="Eine Zeile Text über Förderung, Straßen und Grünflächen. " * 3,
            kind=Programme.Kind.FOERDERPROGRAMM,
            level="land",
            publication=Programme.Publication.PUBLISHED,
        )
        for n in range(start, start + count)
    )
    Programme.topics.through.objects.bulk_create(
        Programme.topics.through(programme=p, topic=topic) for p in programmes
    )


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_the_rows(
    client, catalogue, extension, django_assert_max_num_queries
):
    path = f"/programme/export.{extension}?topic=grunflachen&q=Förderung"
    few, body = _export_queries(client, path)
    assert exported_titles(extension, body) == ["Ärztehäuser für Dörfer"]
    _add_programmes(300, Topic.objects.get(slug="grunflachen"))  # all found by the same query
    # topic lookup, the catalogue version and the synonyms (once per version), the search's
    # plan (what it finds, else a correction), the bounded count (opendata.limits), the export
    # slot and the rows
    with django_assert_max_num_queries(7):
        many, body = _export_queries(client, path)
    assert many == few
    titles = exported_titles(extension, body)
    assert len(titles) == 301
    assert {"Ärztehäuser für Dörfer", "Massenprogramm 0", "Massenprogramm 299"} <= set(titles)


def exported_titles(extension, body: bytes) -> list[str]:
    if extension == "csv":
        return [row[0] for row in csv_rows_of(body)[1:]]
    sheet = load_workbook(io.BytesIO(body)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_memory_stays_flat_as_rows_grow(client, catalogue, monkeypatch, settings, extension):
    """Rows come from a server-side cursor in chunks and leave at once (as CSV text, or into
    the XLSX's temporary file): the peak of Python memory does not follow the row count."""
    settings.DB_STATEMENT_TIMEOUT_LONG_MS = 0  # tracemalloc slows this download severalfold
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    monkeypatch.setattr(exports, "ROWS_PER_WRITE", 50)
    topic = make_topic("Massen")
    path = f"/programme/export.{extension}?topic=massen"

    def peak():
        tracemalloc.start()
        try:
            for _chunk in client.get(path).streaming_content:
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    _add_programmes(200, topic, start=0)
    peak()  # the first request warms caches (translations, URL resolvers)
    small = peak()
    _add_programmes(2000, topic, start=200)
    large = peak()
    assert large < small * 2, (small, large)


@pytest.mark.parametrize(
    "path",
    [
        "/programme/export.csv",
        "/programme/export.xlsx",
        "/programme/feed/",
        "/programme/fristen.ics",
        "/opendata/dcat.jsonld",
    ],
)
def test_open_data_addresses_are_read_only(client, catalogue, path):
    response = client.post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert client.head(path).status_code == 200
