"""Outlines as plain GeoJSON geometries (Polygon or MultiPolygon in WGS84), no PostGIS.

A layer of outlines (all Gemeinden, all Kreise …) is simplified once, at import, as a topology
(the `topojson` package on shapely): each border between two neighbours is one line, simplified
once and shared by both, so neighbouring areas keep touching without gaps or overlaps. Maps draw
the stored outlines as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import topojson


def polygons(geometry: dict) -> list:
    """The polygons of a Polygon or MultiPolygon, each a list of rings (outer ring first)."""
    coordinates = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "Polygon" else coordinates


def count_points(geometry: dict) -> int:
    return sum(len(ring) for polygon in polygons(geometry) for ring in polygon)


def bounds(geometries: Iterable[dict]) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the outer rings of all geometries."""
    xs, ys = [], []
    for geometry in geometries:
        for polygon in polygons(geometry):
            xs.extend(point[0] for point in polygon[0])
            ys.extend(point[1] for point in polygon[0])
    return min(xs), min(ys), max(xs), max(ys)


def ring_area(ring: list) -> float:
    """Signed area in squared degrees (shoelace); enough to compare and to centre."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def centroid(geometry: dict) -> tuple[float, float]:
    """(lon, lat) of the area centroid of the outer rings, weighted by their area."""
    parts = polygons(geometry)
    total = cx = cy = 0.0
    for rings in parts:
        ring = rings[0]
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            cross = x1 * y2 - x2 * y1
            total += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
    if total == 0:
        xs = [x for rings in parts for x, _ in rings[0]]
        ys = [y for rings in parts for _, y in rings[0]]
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * total), cy / (3 * total)


class CollapsedOutline(ValueError):
    def __init__(self, key: str):
        super().__init__("nach dem Vereinfachen bleibt keine Fläche übrig")
        self.key = key


def simplify_layer(
    outlines: Mapping[str, dict], *, tolerance: float, precision: int
) -> dict[str, dict]:
    """Every outline of one layer simplified within `tolerance` degrees, borders shared with
    its neighbours, coordinates rounded to `precision` decimal places. Rings that collapse are
    dropped (an outline left without any raises `CollapsedOutline`); the largest part comes
    first, so drawing and centring can rely on it."""
    keys = list(outlines)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"key": key}, "geometry": outlines[key]}
            for key in keys
        ],
    }
    topology = topojson.Topology(
        collection,
        prequantize=False,  # keep the source's coordinates; rounding comes after
        toposimplify=tolerance if tolerance > 0 else False,
        prevent_oversimplify=True,  # a ring keeps at least a triangle
    )
    features = json.loads(topology.to_geojson())["features"]
    simplified = {feature["properties"]["key"]: feature["geometry"] for feature in features}
    return {key: _rounded(key, simplified.get(key), precision) for key in keys}


def _rounded(key: str, geometry: dict | None, precision: int) -> dict:
    result = []
    for polygon in polygons(geometry or {"type": "MultiPolygon", "coordinates": []}):
        rings = [_round_ring(ring, precision) for ring in polygon]
        if len(rings[0]) < 4:
            continue  # the outer ring collapsed: the whole part goes
        result.append([rings[0], *(ring for ring in rings[1:] if len(ring) >= 4)])
    if not result:
        raise CollapsedOutline(key)
    result.sort(key=lambda rings: -abs(ring_area(rings[0])))
    if len(result) == 1:
        return {"type": "Polygon", "coordinates": result[0]}
    return {"type": "MultiPolygon", "coordinates": result}


def _round_ring(ring: list, precision: int) -> list:
    out = []
    for x, y, *_ in ring:
        point = [round(x, precision), round(y, precision)]
        if not out or out[-1] != point:
            out.append(point)
    return out
