"""NRW's register rows and outlines ship with the project: small, attributed, rebuilt byte for
byte from the official files, and loaded so that a fresh install shows every municipality with
its figures and maps."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.cache import catalogue_version
from municipalities.models import Municipality
from municipalities.nrw_data import DATA_DIR, OUTLINES_FILE, REGISTER_FILE

OFFICIAL = Path(__file__).resolve().parents[2] / "shared" / "data"
NRW_UNITS = 1 + 5 + 31 + 396  # Land, Regierungsbezirke, Kreise, Gemeinden (22 kreisfreie)


def test_shipped_files_are_small_and_say_whose_data_they_are():
    register = json.loads((DATA_DIR / REGISTER_FILE).read_text("utf-8"))
    outlines = json.loads((DATA_DIR / OUTLINES_FILE).read_text("utf-8"))
    assert register["attribution"].startswith("© Statistisches Bundesamt (Destatis)")
    assert "30.11.2025" in register["attribution"]
    assert outlines["attribution"] == "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0"
    assert len(register["rows"]) == NRW_UNITS
    assert {row[0] for row in outlines["outlines"]} == {
        "land",
        "regierungsbezirke",
        "kreise",
        "gemeinden",
    }
    assert (DATA_DIR / OUTLINES_FILE).stat().st_size <= 1_500_000


if OFFICIAL.exists():  # ../shared/data: on developer machines and in CI, not in the repository

    def test_building_again_from_the_official_files_gives_the_same_bytes(tmp_path):
        call_command("build_nrw_data", str(OFFICIAL), "--target", str(tmp_path), stdout=StringIO())
        for name in (REGISTER_FILE, OUTLINES_FILE):
            assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_build_names_what_is_missing(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="GV100AD_30112025.txt"):
        call_command("build_nrw_data", str(tmp_path), "--target", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


@pytest.mark.django_db
def test_loading_brings_every_nrw_unit_with_figures_and_outline_and_writes_nothing_twice():
    out = StringIO()
    call_command("load_nrw_data", stdout=out)
    assert f"{NRW_UNITS} Einträge neu" in out.getvalue()
    nrw = Municipality.objects.filter(key__startswith="05", is_active=True)
    assert nrw.count() == NRW_UNITS
    assert not nrw.filter(population__isnull=True).exists()
    assert not nrw.filter(outline__isnull=True).exists()
    assert nrw.filter(kind=Municipality.Kind.KREISFREIE_STADT).count() == 22
    iserlohn = Municipality.objects.get(key="05962024")
    assert (iserlohn.parent.key, iserlohn.parent.parent.key) == ("05962", "059")

    before = catalogue_version().number
    again = StringIO()
    call_command("load_nrw_data", stdout=again)
    assert again.getvalue() == ""
    assert catalogue_version().number == before  # not one row written


@pytest.mark.django_db
def test_a_fresh_install_shows_maps_and_the_sources_of_its_figures(client):
    call_command("load_nrw_data", stdout=StringIO())
    page = client.get("/kommunen/iserlohn/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="map__svg"' in html
    assert "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0" in html
    assert (
        "© Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand 30.11.2025" in html
    )
    listing = client.get("/kommunen/?kind=kreis").content.decode()
    assert 'class="map__svg"' in listing and "None" not in listing


@pytest.mark.django_db
def test_the_api_names_the_sources_of_figures_and_outline(client):
    call_command("load_nrw_data", stdout=StringIO())
    detail = client.get("/api/v1/municipalities/05962024/").json()
    assert detail["population"] > 90_000
    assert detail["attribution"] == (
        "© Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, Gebietsstand 30.11.2025; "
        "Umriss: © GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0"
    )
    listed = client.get("/api/v1/municipalities/?q=Iserlohn").json()["results"][0]
    assert listed["attribution"].startswith("© Statistisches Bundesamt (Destatis)")
