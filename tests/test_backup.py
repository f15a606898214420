"""Backup and restore drill: pg_dump, restore into a fresh database, same row counts in every
table (history and users included) and the same public pages, byte for byte."""

import io
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal import backup
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


def test_the_drill_finds_a_copy_that_differs(tmp_path, monkeypatch):
    """A topic renamed in the copy, its catalogue version kept: only a render from the copy's
    own data (not the original's per-version memos) shows the home page differing."""
    places = make_nrw_chain()
    topic = make_topic("Stadtentwicklung")
    for i in range(2):
        programme = make_programme(f"Quartiersprogramm {i}", topics=[topic])
        add_participation(programme, places["wuppertal"], role="leitkommune")
    real_render_from = backup.render_from

    def render_corrupted_copy(database, paths):
        params = connection_params(connection.settings_dict, name=database)
        with psycopg.connect(**params, autocommit=True) as copy:
            version = copy.execute("SELECT number, changed FROM core_catalogueversion").fetchone()
            copy.execute(
                "UPDATE programmes_topic SET name = 'Verfälscht' WHERE id = %s", [topic.pk]
            )
            copy.execute("UPDATE core_catalogueversion SET number = %s, changed = %s", version)
        return real_render_from(database, paths)

    monkeypatch.setattr(backup, "render_from", render_corrupted_copy)
    out = io.StringIO()
    with pytest.raises(CommandError, match="weicht ab"):
        call_command("backup_drill", dump=tmp_path / "sicherung.dump", stdout=out, stderr=out)
    output = out.getvalue()
    assert "Seite / unterscheidet sich" in output  # its topic list comes from per-version memos
    assert "Tabelle" not in output  # same rows: only the content differs


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
