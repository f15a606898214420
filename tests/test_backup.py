"""Backup and restore drill: pg_dump, restore into a fresh database, same row counts in every
table (history and users included) and the same public pages, byte for byte."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from portal.backup import DrillReport, connection_params, find_client_bin, server_major
from tests.factories import (
    add_participation,
    make_nrw_chain,
    make_principle,
    make_programme,
    make_topic,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_drill_restores_every_row_and_page(tmp_path):
    places = make_nrw_chain()
    topic = make_topic("Stadtentwicklung")
    principle = make_principle("Orte der Begegnung stärken")
    for i in range(3):
        programme = make_programme(f"Quartiersprogramm {i}", topics=[topic])
        programme.principles.add(principle)
        add_participation(programme, places["wuppertal"], role="leitkommune")
    programme.summary = "Geändert, damit auch der Verlauf mitkommt."
    programme.save()

    dump = tmp_path / "sicherung.dump"
    out = io.StringIO()
    call_command("backup_drill", dump=dump, stdout=out, stderr=out)
    output = out.getvalue()
    assert "Übung bestanden" in output, output
    assert dump.stat().st_size > 10_000  # kept as a backup

    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%_drill_%"])
        assert cursor.fetchall() == []  # the copy is dropped after the comparison


def test_client_programs_match_the_server_version():
    major = server_major(connection_params(connection.settings_dict))
    bin_dir = find_client_bin(major)
    assert (bin_dir / "pg_restore").exists()
    assert isinstance(bin_dir, Path)


def test_a_report_names_what_differs():
    report = DrillReport(Path("x.dump"), 1, "kopie")
    report.tables = {"programmes_programme": (48, 48), "programmes_link": (10, 9)}
    report.pages = {"/": ("200:a", "200:a"), "/themen/": ("200:a", "200:b")}
    assert not report.ok
    assert report.table_differences == {"programmes_link": (10, 9)}
    assert report.page_differences == ["/themen/"]
    assert report.rows == 58
