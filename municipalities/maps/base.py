"""Base layers: every stored outline of a region projected into map units, cached.

Outlines are projected once (equirectangular, x scaled by cos of the mean latitude) into a
1000-unit-wide frame and kept as SVG path data. They were simplified as a topology at import
(municipalities.geometry); drawing only rounds to tenths of a unit, the same for every
neighbour, so shared borders stay shared. The cache key carries a version read from the table
(latest change, number of outlines): an import, a rename or a new outline is visible on the
next request without clearing anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Q

from core.cache import Recent, per_version
from municipalities.geometry import bounds, polygons
from municipalities.models import Municipality

NRW = "05"
ATTRIBUTION = "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0"
WIDTH = 1000.0
MARGIN = 8.0
CACHE_SECONDS = 24 * 60 * 60
Kind = Municipality.Kind


@dataclass(frozen=True)
class Shape:
    key: str
    name: str
    kind: str
    url: str
    d: str  # SVG path data in map units
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class BaseMap:
    version: str
    width: float
    height: float
    land: dict[str, Shape]
    bezirke: dict[str, Shape]
    kreise: dict[str, Shape]  # Kreise, Städteregion and kreisfreie Städte
    gemeinden: dict[str, Shape]  # every 8-digit key, kreisfreie Städte too

    def kreis_of(self, key: str) -> str:
        """The Kreis-level key of a Gemeinde key: 05962024 → 05962, 05124000 → 05124000."""
        return key[:5] if key[:5] in self.kreise else key

    def shape(self, key: str) -> Shape | None:
        layer = {2: self.land, 3: self.bezirke, 5: self.kreise, 8: self.gemeinden}[len(key)]
        return layer.get(key) or (self.kreise.get(key) if len(key) == 8 else None)


@per_version("municipalities:maps")
def _known(today) -> Recent:
    """Boundary versions and base maps met in this process since the catalogue last changed,
    shared by its threads: one of them builds a map, the others wait for it."""
    return Recent(32)


def base_map(region: str = NRW) -> BaseMap | None:
    known = _known()  # kept in the process too: no unpickling of every outline per request
    # The version is asked once per catalogue version.
    version = known.get(("version", region), lambda: _boundaries_version(region))
    if version is None:
        return None
    return known.get(("base", version), lambda: _layers(region, version))


def _layers(region: str, version: str) -> BaseMap:
    cache_key = f"municipalities:basemap:{region}:{version}"
    layers = cache.get(cache_key)
    if layers is None:
        layers = _build(region, version)
        cache.set(cache_key, layers, CACHE_SECONDS)
    return layers


def _boundaries_version(region: str) -> str | None:
    """Changes whenever a row in the region changes (imports set `updated`); None: no outlines."""
    state = Municipality.objects.filter(key__startswith=region).aggregate(
        latest=Max("updated"),
        outlines=Count("pk", filter=Q(outline__isnull=False, is_active=True)),
        rows=Count("pk"),
    )
    if not state["outlines"]:
        return None
    return f"{state['latest'].timestamp():.6f}-{state['outlines']}-{state['rows']}"


def _build(region: str, version: str) -> BaseMap:
    rows = list(
        Municipality.objects.active()
        .filter(key__startswith=region, outline__isnull=False)
        .only("key", "name", "slug", "kind", "outline")
        .order_by("key")
    )
    frame_rows = [r for r in rows if r.key == region] or rows
    west, south, east, north = bounds(r.outline for r in frame_rows)
    x_scale = math.cos(math.radians((south + north) / 2))
    unit = (WIDTH - 2 * MARGIN) / ((east - west) * x_scale)

    def project(lon: float, lat: float) -> tuple[int, int]:
        """In tenths of a map unit: compact path data, and no rounding drift."""
        x = MARGIN + (lon - west) * x_scale * unit
        y = MARGIN + (north - lat) * unit
        return round(x * 10), round(y * 10)

    layers: dict[int, dict[str, Shape]] = {2: {}, 3: {}, 5: {}, 8: {}}
    for row in rows:
        d, box = _path(row.outline, project)
        layers[len(row.key)][row.key] = Shape(
            row.key, row.name, row.kind, row.get_absolute_url(), d, box
        )
    kreise = dict(layers[5])
    kreise.update((k, s) for k, s in layers[8].items() if s.kind == Kind.KREISFREIE_STADT)
    return BaseMap(
        version=version,
        width=WIDTH,
        height=round((north - south) * unit + 2 * MARGIN, 1),
        land=layers[2],
        bezirke=layers[3],
        kreise=kreise,
        gemeinden=layers[8],
    )


def _path(geometry: dict, project) -> tuple[str, tuple[float, float, float, float]]:
    """Path data with relative moves in tenths of a unit; the bounding box in units."""
    parts, xs, ys = [], [], []
    for polygon in polygons(geometry):
        for ring in polygon:
            points = _distinct([project(lon, lat) for lon, lat, *_ in ring[:-1]])
            if len(points) < 3:
                continue  # smaller than a tenth of a unit: nothing to see
            xs.extend(x for x, _ in points)
            ys.extend(y for _, y in points)
            (x0, y0), steps = points[0], []
            for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
                steps.append(f"{_tenths(x2 - x1)} {_tenths(y2 - y1)}")
            parts.append(f"M{_tenths(x0)} {_tenths(y0)}l{' '.join(steps)}z")
    if not parts:
        return "", (0.0, 0.0, 0.0, 0.0)
    box = (min(xs) / 10, min(ys) / 10, max(xs) / 10, max(ys) / 10)
    return "".join(parts).replace(" -", "-"), box


def _distinct(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Points that rounding made equal to their predecessor dropped (the ring stays closed)."""
    out = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def _tenths(value: int) -> str:
    whole, tenth = divmod(abs(value), 10)
    sign = "-" if value < 0 else ""
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"  # "-.5" is valid path data
