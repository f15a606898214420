"""Boundary import (GeoJSON → simplified outlines) and the server-rendered SVG maps.

Hand-made rectangles in tests always run; the BKG files in ../shared/data run in addition when
present (parametrized as "official").
"""

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from municipalities import maps
from municipalities.boundaries import BoundaryError, import_boundaries
from municipalities.geometry import polygons, simplify_layer
from municipalities.maps.choropleth import bins as choropleth_bins
from municipalities.models import Municipality
from municipalities.register import import_register
from programmes.participant_map import programme_counts_by_kreis, programme_map
from tests.factories import add_participation, make_municipality, make_programme

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EXCERPT = Path(__file__).parent / "data" / "register_excerpt.txt"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def box(west, south, east, north, steps=4):
    """A closed rectangle with `steps` points along each edge (all but the corners redundant)."""
    ring = []
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    for (x1, y1), (x2, y2) in zip(corners, corners[1:], strict=False):
        ring.extend([x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps] for i in range(steps))
    ring.append([west, south])
    return {"type": "Polygon", "coordinates": [ring]}


def feature(ags, name, geometry, **properties):
    return {
        "type": "Feature",
        "properties": {"AGS": ags, "GEN": name, **properties},
        "geometry": geometry,
    }


# Rectangles roughly where the places are; Wuppertal comes from the Kreis layer (AGS 05124).
FEATURES = [
    feature("05", "Nordrhein-Westfalen", box(6.0, 50.3, 9.5, 52.5)),
    feature("051", "Düsseldorf", box(6.0, 51.0, 7.5, 51.5)),
    feature("053", "Köln", box(6.0, 50.3, 7.5, 51.0)),
    feature("059", "Arnsberg", box(7.5, 50.8, 9.5, 51.8)),
    feature("05124", "Wuppertal", box(7.0, 51.2, 7.3, 51.35)),
    feature("05334", "Städteregion Aachen", box(6.0, 50.5, 6.5, 50.9)),
    feature("05334002", "Aachen", box(6.0, 50.7, 6.2, 50.9)),
    feature("05334036", "Simmerath", box(6.2, 50.5, 6.5, 50.7)),
    feature("05962", "Märkischer Kreis", box(7.5, 51.1, 7.9, 51.4)),
    feature("05962024", "Iserlohn", box(7.5, 51.3, 7.7, 51.4)),
    feature("05962052", "Schalksmühle", box(7.6, 51.1, 7.9, 51.3)),
    feature("05966", "Olpe", box(7.9, 50.9, 8.3, 51.2)),
    feature("05966020", "Kirchhundem", box(7.9, 50.9, 8.3, 51.2)),
    feature("05999999", "Nirgendwo", box(9.0, 52.0, 9.1, 52.1)),
]


def write_geojson(tmp_path, features, name="grenzen.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def register():
    import_register(EXCERPT, land="05", population_date=date(2024, 12, 31))


@pytest.fixture
def outlines(register, tmp_path):
    return import_boundaries(write_geojson(tmp_path, FEATURES))


def parse_svg(map_):
    return ET.fromstring(str(map_.svg))


def svg_links(root) -> dict[str, str]:
    return {a.get("href"): a.get("aria-label") for a in root.iter(f"{SVG}a")}


def table_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>', html))


def url(key):
    return Municipality.objects.get(key=key).get_absolute_url()


# --- Simplification -----------------------------------------------------------------------------


def wiggly_border(steps=20, amplitude=0.001):
    """Points from (1, 0) to (1, 1) that wobble east and west of x = 1 by `amplitude`."""
    return [[1 + (amplitude if i % 2 else -amplitude), i / steps] for i in range(steps + 1)]


def test_simplifying_a_layer_drops_points_within_the_tolerance_and_keeps_corners():
    simple = simplify_layer({"05": box(0, 0, 2, 1, steps=5)}, tolerance=0.01, precision=4)
    ring = simple["05"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert {tuple(point) for point in ring} == {(0, 0), (2, 0), (2, 1), (0, 1)}


def test_neighbours_keep_one_shared_border_after_simplifying():
    """Simplified ring by ring, a wobbly border would be cut differently on each side (gaps and
    overlaps between neighbours); as a topology both sides keep the very same points."""
    border = wiggly_border()
    west = {"type": "Polygon", "coordinates": [[[0, 0], *border, [0, 1], [0, 0]]]}
    east = {"type": "Polygon", "coordinates": [[*border, [2, 1], [2, 0], border[0]]]}

    simple = simplify_layer({"A": west, "B": east}, tolerance=0.005, precision=4)

    def border_points(geometry):
        ring = polygons(geometry)[0][0]
        return {tuple(point) for point in ring if 0.9 < point[0] < 1.1}

    assert border_points(simple["A"]) == border_points(simple["B"])
    assert len(border_points(simple["A"])) < len(border)  # the wobble was simplified away


# --- Import -------------------------------------------------------------------------------------


def test_import_stores_simplified_outlines_by_official_key(outlines):
    assert outlines.features == 14
    assert len(outlines.updated) == 13
    assert outlines.unmatched == [("05999999", "Nirgendwo")]
    # Redundant points go; corners stay, and so do the points where neighbours meet.
    assert outlines.points_before == 14 * 17 and outlines.points_after < 14 * 9

    iserlohn = Municipality.objects.get(key="05962024")
    assert iserlohn.outline["type"] == "Polygon" and len(iserlohn.outline["coordinates"]) == 1
    ring = iserlohn.outline["coordinates"][0]
    assert ring[0] == ring[-1]
    assert {(7.5, 51.3), (7.7, 51.3), (7.7, 51.4), (7.5, 51.4)} <= {tuple(p) for p in ring}
    assert all(x in (7.5, 7.7) or y in (51.3, 51.4) for x, y in ring)  # on the rectangle
    assert (float(iserlohn.longitude), float(iserlohn.latitude)) == (7.6, 51.35)
    # The Kreis-layer feature 05124 is the kreisfreie Stadt stored as 05124000.
    assert [7.0, 51.2] in Municipality.objects.get(key="05124000").outline["coordinates"][0]
    assert not Municipality.objects.filter(key__startswith="05", outline__isnull=True).exists()


def test_coordinates_are_rounded(register, tmp_path):
    wobbly = feature("05962024", "Iserlohn", box(7.512345678, 51.3, 7.7, 51.4))
    import_boundaries(write_geojson(tmp_path, [wobbly]), precision=3)
    assert Municipality.objects.get(key="05962024").outline["coordinates"][0][0] == [7.512, 51.3]


def test_curated_centre_is_kept(register, tmp_path):
    Municipality.objects.filter(key="05962024").update(latitude="51.37500", longitude="7.69600")
    report = import_boundaries(write_geojson(tmp_path, FEATURES))
    iserlohn = Municipality.objects.get(key="05962024")
    assert (str(iserlohn.latitude), str(iserlohn.longitude)) == ("51.37500", "7.69600")
    assert report.centres_set == 12


def test_second_boundary_import_writes_nothing(outlines, tmp_path):
    with CaptureQueriesContext(connection) as queries:
        report = import_boundaries(write_geojson(tmp_path, FEATURES))

    assert (report.updated, report.unchanged) == ([], 13)
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_parts_with_one_key_merge_and_water_is_left_out(register, tmp_path):
    parts = [
        feature("05962024", "Iserlohn", box(7.5, 51.3, 7.7, 51.4), GF=4),
        feature("05962024", "Iserlohn", box(7.8, 51.3, 7.85, 51.35), GF=4),
        feature("05962024", "Iserlohn (See)", box(7.7, 51.3, 7.75, 51.4), GF=2),
    ]
    import_boundaries(write_geojson(tmp_path, parts))

    outline = Municipality.objects.get(key="05962024").outline
    assert outline["type"] == "MultiPolygon"
    assert [polygon[0][0] for polygon in outline["coordinates"]] == [[7.5, 51.3], [7.8, 51.3]]


def _features_with(index, **changes):
    features = json.loads(json.dumps(FEATURES))
    features[index].update(changes)
    return {"type": "FeatureCollection", "features": features}


UTM = box(395000, 5690000, 410000, 5700000)
BAD_GEOJSON = {
    "broken JSON": (b'{"type": "FeatureCollection",\n "features": [}', "Zeile 2, Spalte 15"),
    "not a collection": (json.dumps(FEATURES[0]), "FeatureCollection, nicht 'Feature'"),
    "missing AGS": (
        json.dumps(_features_with(3, properties={"GEN": "Arnsberg"})),
        "Objekt 4, Feld „properties.AGS“: fehlt",
    ),
    "bad AGS": (
        json.dumps(_features_with(3, properties={"AGS": "5962"})),
        "Objekt 4, Feld „properties.AGS“: '5962' ist kein Schlüssel",
    ),
    "point": (
        json.dumps(_features_with(9, geometry={"type": "Point", "coordinates": [7.6, 51.3]})),
        "Objekt 10 (AGS 05962024), Feld „geometry“: erwartet Polygon oder MultiPolygon",
    ),
    "projected coordinates": (
        json.dumps(_features_with(9, geometry=UTM)),
        "Objekt 10 (AGS 05962024), Feld „geometry.coordinates“: [395000.0, 5690000.0] ist keine "
        "Länge/Breite",
    ),
    "short ring": (
        json.dumps(_features_with(9, geometry={"type": "Polygon", "coordinates": [[[7, 51]]]})),
        "Ring mit weniger als 4 Punkten",
    ),
    "latin-1": ('{"type": "FeatureCollection", "name": "Grenzen Köln"}'.encode("latin-1"),
                "Zeile 1: kein gültiges UTF-8 (Byte 0xF6)"),
    "zip archive": (b"PK\x03\x04\x00\x00", "ZIP-Archiv"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_GEOJSON)
def test_bad_geojson_names_feature_and_field(register, tmp_path, case):
    content, message = BAD_GEOJSON[case]
    path = tmp_path / "grenzen.geojson"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())

    with pytest.raises(BoundaryError) as caught:
        import_boundaries(path)

    assert message in str(caught.value)
    assert not Municipality.objects.filter(outline__isnull=False).exists()


def test_failed_boundary_write_leaves_the_database_as_it_was(register, tmp_path, monkeypatch):
    real_update = Municipality.objects.bulk_update

    def update_then_fail(*args, **kwargs):
        real_update(*args, **kwargs)
        raise RuntimeError("connection lost")

    monkeypatch.setattr(Municipality.objects, "bulk_update", update_then_fail)
    with pytest.raises(RuntimeError):
        import_boundaries(write_geojson(tmp_path, FEATURES))

    assert not Municipality.objects.filter(outline__isnull=False).exists()
    assert not Municipality.objects.filter(latitude__isnull=False).exists()


def test_boundary_command_reports_unmatched_and_refuses_bad_files(register, tmp_path):
    out = io.StringIO()
    call_command("import_boundaries", str(write_geojson(tmp_path, FEATURES)), stdout=out)
    assert "keine Kommune mit dem Schlüssel 05999999 (Nirgendwo)" in out.getvalue()
    assert "14 Objekte: 13 Umrisse neu oder geändert, 0 unverändert, 1 ohne passende" in (
        out.getvalue()
    )

    bad = tmp_path / "kaputt.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    with pytest.raises(CommandError, match="Objekt 1, Feld „properties.AGS“: fehlt"):
        call_command("import_boundaries", str(bad), stdout=io.StringIO())


def test_dry_run_saves_no_outline(register, tmp_path):
    report = import_boundaries(write_geojson(tmp_path, FEATURES), dry_run=True)
    assert len(report.updated) == 13
    assert not Municipality.objects.filter(outline__isnull=False).exists()


# --- Maps ---------------------------------------------------------------------------------------


def test_without_outlines_there_is_no_map_and_the_tags_render_nothing(register):
    programme = make_programme("Ohne Karte")
    iserlohn = Municipality.objects.get(key="05962024")
    add_participation(programme, iserlohn)

    assert maps.base_map() is None
    assert programme_map(programme) is None
    assert maps.municipality_map(iserlohn) is None
    assert maps.choropleth_map({"05962": 1}) is None
    html = Template(
        "{% load maps programme_maps %}{% map_for_programme p %}{% map_for_municipality m %}"
        "{% programmes_per_kreis_map as kreis_map %}{% if kreis_map %}map{% endif %}"
    ).render(Context({"p": programme, "m": iserlohn}))
    assert html.strip() == ""


def test_programme_map_links_participants_and_its_table_lists_the_same(outlines):
    programme = make_programme("Klimaquartiere")
    for key, role in [("05962024", "leitkommune"), ("05124000", "partner"), ("05966", "partner")]:
        add_participation(programme, Municipality.objects.get(key=key), role=role)
    bavarian = make_municipality("München", "09162000")
    add_participation(programme, bavarian)

    map_ = programme_map(programme)
    root = parse_svg(map_)
    html = Template("{% load programme_maps %}{% map_for_programme p %}").render(
        Context({"p": programme})
    )

    expected = {url("05962024"): "Iserlohn", url("05124000"): "Wuppertal",
                url("05966"): "Kreis Olpe"}  # fmt: skip
    assert {href: label.split(" (")[0] for href, label in svg_links(root).items()} == expected
    assert table_links(html) == expected
    assert svg_links(root)[url("05962024")] == "Iserlohn (Leitkommune)"
    # Accessible: named group with title and description, hatched highlights, attribution.
    assert root.get("role") == "group"
    ids = {el.get("id"): el.text for el in root if el.get("id")}
    assert ids[root.get("aria-labelledby")] == map_.title
    assert (
        "die Kommunen, die an „Klimaquartiere“ teilnehmen. 3 Gebiete sind hervorgehoben."
        in (ids[root.get("aria-describedby")])
    )
    highlight = root.find(f"{SVG}g[@class='map__layer map__layer--highlight']")
    assert {p.get("fill") for p in highlight.iter(f"{SVG}path")} == {
        f"url(#{map_.table_id[:-6]}-hatch)"
    }
    background = root.find(f"{SVG}g[@class='map__layer map__layer--base']")
    assert background.get("aria-hidden") == "true" and not list(background.iter(f"{SVG}a"))
    assert "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0" in html
    assert f'nicht auf der Karte: <a href="{bavarian.get_absolute_url()}">München</a>' in html
    assert map_.svg.count("viewBox=") == 1 and 'viewBox="0 0 1000 ' in map_.svg


def test_municipality_map_shows_it_in_its_kreis_and_bezirk(outlines):
    iserlohn = Municipality.objects.get(key="05962024")

    map_ = maps.municipality_map(iserlohn)
    root = parse_svg(map_)
    html = Template("{% load maps %}{% map_for_municipality m %}").render(Context({"m": iserlohn}))

    links = svg_links(root)
    assert links == {
        url("05962024"): "Iserlohn",  # itself, hatched
        url("05962052"): "Schalksmühle",  # the rest of its Kreis
        url("05966"): "Kreis Olpe",  # the neighbouring Kreis in the Regierungsbezirk
    }
    assert table_links(html) == links
    current = [a.get("href") for a in root.iter(f"{SVG}a") if a.get("aria-current") == "page"]
    assert current == [url("05962024")]
    assert map_.description.startswith(
        "Kartenausschnitt: Regierungsbezirk Arnsberg. Schraffiert: Iserlohn (Stadt) in "
        "Märkischer Kreis, Regierungsbezirk Arnsberg, Nordrhein-Westfalen."
    )
    # Zoomed to the Regierungsbezirk: a viewBox narrower than all of NRW.
    x, y, width, height = map(float, root.get("viewBox").split())
    assert width < 700 and height < 700
    assert root.find(f"{SVG}g[@class='map__layer map__layer--outline']") is not None


def test_kreis_map_hatches_its_gemeinden(outlines):
    map_ = maps.municipality_map(Municipality.objects.get(key="05962"))
    highlight = parse_svg(map_).find(f"{SVG}g[@class='map__layer map__layer--highlight']")
    assert {a.get("aria-label") for a in highlight.iter(f"{SVG}a")} == {"Iserlohn", "Schalksmühle"}


def test_kreisfreie_stadt_map_has_the_city_hatched(outlines):
    map_ = maps.municipality_map(Municipality.objects.get(key="05124000"))
    highlight = parse_svg(map_).find(f"{SVG}g[@class='map__layer map__layer--highlight']")
    assert [a.get("aria-label") for a in highlight.iter(f"{SVG}a")] == ["Wuppertal"]


def test_choropleth_shades_kreise_by_count(outlines):
    map_ = maps.choropleth_map({"05962": 3, "05124": 1})  # Wuppertal by its Kreis key
    root = parse_svg(map_)

    assert svg_links(root) == {
        url("05124000"): "Wuppertal: 1 Programm",
        url("05334"): "Städteregion Aachen: 0 Programme",
        url("05962"): "Märkischer Kreis: 3 Programme",
        url("05966"): "Kreis Olpe: 0 Programme",
    }
    classes = {
        a.get("aria-label").split(":")[0]: g.get("class").split()[-1]
        for g in root.iter(f"{SVG}g")
        for a in g.iter(f"{SVG}a")
    }
    assert classes == {
        "Wuppertal": "map__class-1",
        "Städteregion Aachen": "map__class-0",
        "Märkischer Kreis": "map__class-3",
        "Kreis Olpe": "map__class-0",
    }
    assert [entry.label for entry in map_.legend] == [
        "0 Programme", "1 Programm", "2 Programme", "3 Programme",
    ]  # fmt: skip
    assert [[cell.text for cell in row] for row in map_.rows] == [
        ["Kreis Olpe", "Kreis", "0"],
        ["Märkischer Kreis", "Kreis", "3"],
        ["Städteregion Aachen", "Städteregion", "0"],
        ["Wuppertal", "Kreisfreie Stadt", "1"],
    ]


@pytest.mark.parametrize(
    ("maximum", "bins"),
    [
        (0, [(0, 0)]),
        (2, [(0, 0), (1, 1), (2, 2)]),
        (10, [(0, 0), (1, 3), (4, 5), (6, 8), (9, 10)]),
    ],
)
def test_choropleth_classes(maximum, bins):
    assert choropleth_bins(maximum) == bins


def test_programme_counts_by_kreis(outlines):
    first, second = make_programme("Erstes"), make_programme("Zweites")
    draft = make_programme("Entwurf", publication="draft")
    for programme, key in [
        (first, "05962024"),
        (first, "05962052"),
        (second, "05962"),
        (second, "05124000"),
        (draft, "05966020"),
        (first, "059"),
    ]:
        add_participation(programme, Municipality.objects.get(key=key))  # fmt: skip

    assert programme_counts_by_kreis() == {"05962": 2, "05124000": 1}


def test_base_layers_are_cached_until_something_changes(outlines, django_assert_num_queries):
    counts = {"05962": 1}
    first = maps.choropleth_map(counts)
    with django_assert_num_queries(1):  # the version check alone
        again = maps.choropleth_map(counts)
    assert again.svg == first.svg and "Märkischer Kreis: 1 Programm" in again.svg

    olpe = Municipality.objects.get(key="05966")
    olpe.name = "Kreis Olpe (neu)"  # e.g. renamed in the admin
    olpe.save()
    assert "Kreis Olpe (neu): 0 Programme" in maps.choropleth_map(counts).svg


# --- The BKG files, when present ----------------------------------------------------------------

LAYERS = ["land", "regbez", "kreise", "gemeinden"]
OFFICIAL_AVAILABLE = (DATA / "GV100AD_30112025.txt").exists() and all(
    (DATA / f"nrw_{layer}_vg5000_2021.geojson").exists() for layer in LAYERS
)


@pytest.fixture(params=["hand-made"] + (["official"] if OFFICIAL_AVAILABLE else []))
def nrw(request, tmp_path):
    """NRW imported with outlines: the excerpt and rectangles, or the official files."""
    if request.param == "official":
        import_register(
            DATA / "GV100AD_30112025.txt", land="05", population_date=date(2024, 12, 31)
        )
        reports = [import_boundaries(DATA / f"nrw_{layer}_vg5000_2021.geojson") for layer in LAYERS]
        return {"reports": reports, "matched": 1 + 5 + 53 + 396, "unmatched": 0, "kreise": 53}
    import_register(EXCERPT, land="05", population_date=date(2024, 12, 31))
    reports = [import_boundaries(write_geojson(tmp_path, FEATURES))]
    return {"reports": reports, "matched": 13, "unmatched": 1, "kreise": 4}


def test_every_nrw_unit_gets_an_outline(nrw):
    matched = sum(len(r.updated) + r.unchanged for r in nrw["reports"])
    assert matched == nrw["matched"]
    assert sum(len(r.unmatched) for r in nrw["reports"]) == nrw["unmatched"]
    assert not Municipality.objects.filter(key__startswith="05", outline__isnull=True).exists()


def test_maps_from_each_source_link_every_shape_and_list_it(nrw):
    iserlohn = Municipality.objects.get(key="05962024")
    programme = make_programme("Heimat-Scheck")
    add_participation(programme, iserlohn)

    choropleth = maps.choropleth_map(programme_counts_by_kreis())
    assert len(svg_links(parse_svg(choropleth))) == len(choropleth.rows) == nrw["kreise"]
    for map_ in (maps.municipality_map(iserlohn), programme_map(programme), choropleth):
        html = Template("{% include 'includes/map.html' %}").render(
            Context({"map": map_, "table": True})
        )
        links = svg_links(parse_svg(map_))
        assert set(table_links(html)) == set(links)
        assert all(links.values())  # every shape has an accessible name
        assert len(map_.svg) < 80_000  # small enough to inline on a phone
