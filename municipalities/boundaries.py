"""Import of municipal boundaries from GeoJSON into `Municipality.outline`.

Source: BKG's open administrative areas (VG250 or VG5000, dl-de/by-2-0), converted to GeoJSON in
WGS84 with the official key in the property ``AGS`` – one file per layer (Gemeinden, Kreise,
Regierungsbezirke, Länder). The layer is simplified as a topology, so neighbours keep sharing
their borders (municipalities.geometry), and its coordinates rounded before each outline is
stored as a plain GeoJSON geometry: no PostGIS needed, and small enough to draw the whole of
NRW as an inline SVG.

Same rules as the register import: every feature is checked before anything is written, an
error names the feature and the field, and the import is all or nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.text import without_control_characters
from municipalities.geometry import CollapsedOutline, centroid, count_points, simplify_layer
from municipalities.models import Municipality

DEFAULT_TOLERANCE = 0.0005  # degrees: about 35 m east–west and 55 m north–south in NRW
DEFAULT_PRECISION = 4  # decimal places: about 10 m
WATER_ONLY = {1, 2}  # BKG "Geofaktor": water areas, left out where land parts exist

Progress = Callable[[str, int, int], None]


class BoundaryError(ValueError):
    """A boundary file that cannot be imported: says which feature and field."""

    def __init__(self, message: str, *, feature: int | None = None, key: str = "", field=""):
        self.message, self.feature, self.key, self.field = message, feature, key, field
        where = []
        if feature is not None:
            where.append(f"Objekt {feature}" + (f" (AGS {key})" if key else ""))
        if field:
            where.append(f"Feld „{field}“")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class Feature:
    number: int  # 1-based position in the file, for messages
    key: str
    name: str
    geofactor: int | None
    geometry: dict


def read_features(path: str | Path) -> list[Feature]:
    """The features of a GeoJSON file, every one checked; `BoundaryError` on the first bad one."""
    raw = Path(path).read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise BoundaryError("Das ist ein ZIP-Archiv; bitte zuerst entpacken.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise BoundaryError(
            f"Zeile {line}: kein gültiges UTF-8 (Byte 0x{raw[error.start]:02X}); GeoJSON ist "
            "immer UTF-8."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BoundaryError(
            f"Zeile {error.lineno}, Spalte {error.colno}: kein gültiges JSON ({error.msg})."
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise BoundaryError(f"Erwartet wird eine GeoJSON-FeatureCollection, nicht {found!r}.")
    crs = (data.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not crs.upper().endswith(("CRS84", "4326")):
        raise BoundaryError(
            f"Koordinatensystem {crs}: erwartet wird WGS84 (EPSG:4326), z. B. "
            "ogr2ogr -t_srs EPSG:4326 aus.geojson ein.shp"
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise BoundaryError("„features“ fehlt oder ist keine Liste.")
    return [_check(number, item) for number, item in enumerate(features, start=1)]


def _check(number: int, item) -> Feature:
    def fail(message, field="", key=""):
        raise BoundaryError(message, feature=number, key=key, field=field)

    if not isinstance(item, dict) or item.get("type") != "Feature":
        fail("kein GeoJSON-Feature")
    properties = item.get("properties") or {}
    key = properties.get("AGS")
    if key is None:
        fail("fehlt (amtlicher Gemeindeschlüssel)", "properties.AGS")
    key = str(key).strip()
    if not (key.isascii() and key.isdigit() and len(key) in (2, 3, 5, 8)):
        fail(f"{key!r} ist kein Schlüssel mit 2, 3, 5 oder 8 Ziffern", "properties.AGS")
    geometry = item.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        found = geometry.get("type") if isinstance(geometry, dict) else geometry
        fail(f"erwartet Polygon oder MultiPolygon, nicht {found!r}", "geometry", key)
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        fail("keine Koordinaten", "geometry.coordinates", key)
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            fail("Polygon ohne Ring", "geometry.coordinates", key)
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                fail("Ring mit weniger als 4 Punkten", "geometry.coordinates", key)
            for point in ring:
                if not (
                    isinstance(point, list)
                    and len(point) >= 2
                    and all(isinstance(v, (int, float)) for v in point[:2])
                ):
                    fail(f"{point!r} ist kein Punkt [Länge, Breite]", "geometry.coordinates", key)
                if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
                    fail(
                        f"{point[:2]} ist keine Länge/Breite in Grad; die Datei ist wohl nicht "
                        "in WGS84 (EPSG:4326) – umrechnen mit ogr2ogr -t_srs EPSG:4326",
                        "geometry.coordinates",
                        key,
                    )
    geofactor = properties.get("GF")
    return Feature(
        number=number,
        key=key,
        name=without_control_characters(str(properties.get("GEN") or "")),  # shown in reports
        geofactor=geofactor if isinstance(geofactor, int) else None,
        geometry=geometry,
    )


def merged_by_key(features: list[Feature]) -> dict[str, Feature]:
    """One feature per key: several parts (VG250 lists land and water apart) become one
    MultiPolygon; water-only parts are dropped where land parts exist."""
    groups: dict[str, list[Feature]] = defaultdict(list)
    for feature in features:
        groups[feature.key].append(feature)
    merged = {}
    for key, parts in groups.items():
        land = [p for p in parts if p.geofactor not in WATER_ONLY]
        parts = land or parts
        if len(parts) == 1:
            merged[key] = parts[0]
            continue
        polygons = []
        for part in parts:
            coordinates = part.geometry["coordinates"]
            polygons.extend([coordinates] if part.geometry["type"] == "Polygon" else coordinates)
        first = parts[0]
        merged[key] = Feature(
            first.number,
            key,
            first.name,
            first.geofactor,
            {"type": "MultiPolygon", "coordinates": polygons},
        )
    return merged


# --- Import -------------------------------------------------------------------------------------


@dataclass
class BoundaryReport:
    features: int = 0
    updated: list[tuple[str, str]] = field(default_factory=list)  # (key, name)
    unchanged: int = 0
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (AGS, name in the file)
    centres_set: int = 0
    points_before: int = 0
    points_after: int = 0
    dry_run: bool = False


def import_boundaries(
    path: str | Path,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    precision: int = DEFAULT_PRECISION,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> BoundaryReport:
    """Store a simplified outline for every municipality the file names by official key."""
    features = read_features(path)
    merged = merged_by_key(features)
    report = BoundaryReport(features=len(features), dry_run=dry_run)
    outlines = simplified_outlines(merged, tolerance=tolerance, precision=precision)
    report.points_before = sum(count_points(f.geometry) for f in merged.values())
    report.points_after = sum(count_points(outline) for outline in outlines.values())
    if progress:
        progress("Vereinfachen", len(merged), len(merged))
    names = {key: feature.name for key, feature in merged.items()}
    with transaction.atomic():
        write_outlines(outlines, names, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def simplified_outlines(
    merged: dict[str, Feature], *, tolerance: float, precision: int
) -> dict[str, dict]:
    """The layer's outlines by key, simplified together (municipalities.geometry)."""
    try:
        return simplify_layer(
            {key: feature.geometry for key, feature in merged.items()},
            tolerance=tolerance,
            precision=precision,
        )
    except CollapsedOutline as error:
        feature = merged[error.key]
        raise BoundaryError(
            str(error), feature=feature.number, key=error.key, field="geometry"
        ) from None


def write_outlines(outlines: dict[str, dict], names: dict[str, str], report: BoundaryReport):
    """Store each outline on the row of its key; call in a transaction.

    A Kreis-layer outline of a kreisfreie Stadt (AGS 05124) goes to the city's row (05124000).
    Rows without a centre get the outline's centroid. Keys without a row are reported.
    """
    now = timezone.now()
    rows = {
        m.key: m
        for m in Municipality.objects.filter(key__in=[*outlines, *(k + "000" for k in outlines)])
    }
    to_update, fields = [], {"outline", "updated"}
    for key, outline in outlines.items():
        row = rows.get(key)
        if row is None and len(key) == 5:
            city = rows.get(key + "000")
            if city is not None and city.kind == Municipality.Kind.KREISFREIE_STADT:
                row = city
        if row is None:
            report.unmatched.append((key, names.get(key, "")))
            continue
        changed = row.outline != outline
        if row.latitude is None or row.longitude is None:
            lon, lat = centroid(outline)
            row.longitude = Decimal(f"{lon:.5f}")
            row.latitude = Decimal(f"{lat:.5f}")
            fields |= {"latitude", "longitude"}
            report.centres_set += 1
            changed = True
        if changed:
            row.outline, row.updated = outline, now
            to_update.append(row)
            report.updated.append((row.key, row.name))
        else:
            report.unchanged += 1
    if to_update:
        Municipality.objects.bulk_update(to_update, sorted(fields), batch_size=200)
