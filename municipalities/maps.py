"""Server-rendered SVG maps of NRW from the stored outlines: no JavaScript, tiles or third parties.

Three maps, each returned as a `Map` (the SVG plus the same information as a table) or ``None``
where no outlines were imported, so pages fall back to their lists:

`programme_map` / `highlight_map`
    NRW with the Kreise as background and the participating municipalities hatched and linked.
`municipality_map`
    A municipality in its Kreis and Regierungsbezirk (zoomed to the Regierungsbezirk).
`choropleth_map`
    NRW by Kreis and kreisfreie Stadt, shaded by a count (e.g. programmes per Kreis).

Outlines are projected once (equirectangular, x scaled by cos of the mean latitude) into a
1000-unit-wide frame, simplified a second time in map units and cached as path strings. The cache
key carries a version read from the table (latest change, number of outlines), so an import, a
rename or a new outline is visible on the next request without clearing anything. Zoomed maps
reuse the same paths with another ``viewBox``; CSS keeps strokes at one width.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.cache import per_version
from municipalities.boundaries import simplify_ring
from municipalities.models import Municipality

NRW = "05"
ATTRIBUTION = "© GeoBasis-DE / BKG (Daten verändert), dl-de/by-2-0"
WIDTH = 1000.0
MARGIN = 8.0
PATH_TOLERANCE = 0.5  # map units (1000 across NRW): below a pixel on a phone
CACHE_SECONDS = 24 * 60 * 60
Kind = Municipality.Kind
KREIS_LEVEL = {Kind.KREIS, Kind.STAEDTEREGION, Kind.KREISFREIE_STADT}


# --- Base layers (cached) ------------------------------------------------------------------------


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
def _known(today) -> dict:
    """Boundary versions and base maps met in this process since the catalogue last changed."""
    return {}


def boundaries_version(region: str = NRW) -> str | None:
    """Changes whenever a row in the region changes (imports set `updated`); None: no outlines.
    Asked once per catalogue version: any write to the municipalities moves that too."""
    return _boundaries_version(_known(), region)


def _boundaries_version(known: dict, region: str) -> str | None:
    if ("version", region) not in known:
        known["version", region] = _read_boundaries_version(region)
    return known["version", region]


def _read_boundaries_version(region: str) -> str | None:
    state = Municipality.objects.filter(key__startswith=region).aggregate(
        latest=Max("updated"),
        outlines=Count("pk", filter=Q(outline__isnull=False, is_active=True)),
        rows=Count("pk"),
    )
    if not state["outlines"]:
        return None
    return f"{state['latest'].timestamp():.6f}-{state['outlines']}-{state['rows']}"


def base_map(region: str = NRW) -> BaseMap | None:
    known = _known()  # kept in the process too: no unpickling of every outline per request
    version = _boundaries_version(known, region)
    if version is None:
        return None
    if ("base", version) in known:
        return known["base", version]
    cache_key = f"municipalities:basemap:{region}:{version}"
    layers = cache.get(cache_key)
    if layers is None:
        layers = _build_base_map(region, version)
        cache.set(cache_key, layers, CACHE_SECONDS)
    known["base", version] = layers
    return layers


def _build_base_map(region: str, version: str) -> BaseMap:
    rows = list(
        Municipality.objects.active()
        .filter(key__startswith=region, outline__isnull=False)
        .only("key", "name", "slug", "kind", "outline")
        .order_by("key")
    )
    frame_rows = [r for r in rows if r.key == region] or rows
    west, south, east, north = _bounds(r.outline for r in frame_rows)
    x_scale = math.cos(math.radians((south + north) / 2))
    unit = (WIDTH - 2 * MARGIN) / ((east - west) * x_scale)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - west) * x_scale * unit, MARGIN + (north - lat) * unit

    layers: dict[int, dict[str, Shape]] = {2: {}, 3: {}, 5: {}, 8: {}}
    for row in rows:
        d, box = _path(row.outline, project)
        shape = Shape(row.key, row.name, row.kind, row.get_absolute_url(), d, box)
        layers[len(row.key)][row.key] = shape
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


def _polygons(geometry: dict) -> list:
    coordinates = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "Polygon" else coordinates


def _bounds(geometries: Iterable[dict]) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for geometry in geometries:
        for polygon in _polygons(geometry):
            xs.extend(p[0] for p in polygon[0])
            ys.extend(p[1] for p in polygon[0])
    return min(xs), min(ys), max(xs), max(ys)


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def _path(geometry: dict, project) -> tuple[str, tuple[float, float, float, float]]:
    """Path data with relative moves in tenths of a unit: compact, and no rounding drift."""
    parts, xs, ys = [], [], []
    for polygon in _polygons(geometry):
        for ring in polygon:
            points = simplify_ring([project(lon, lat) for lon, lat, *_ in ring], PATH_TOLERANCE)
            if len(points) < 4:
                continue
            xs.extend(x for x, _ in points)
            ys.extend(y for _, y in points)
            tenths = [(round(x * 10), round(y * 10)) for x, y in points[:-1]]
            (x0, y0), steps = tenths[0], []
            for (x1, y1), (x2, y2) in zip(tenths, tenths[1:], strict=False):
                steps.append(f"{_tenths(x2 - x1)} {_tenths(y2 - y1)}")
            parts.append(f"M{_tenths(x0)} {_tenths(y0)}l{' '.join(steps)}z")
    if not parts:
        return "", (0.0, 0.0, 0.0, 0.0)
    return "".join(parts).replace(" -", "-"), (min(xs), min(ys), max(xs), max(ys))


def _tenths(value: int) -> str:
    whole, tenth = divmod(abs(value), 10)
    sign = "-" if value < 0 else ""
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"  # "-.5" is valid path data


# --- Rendered maps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""


@dataclass(frozen=True)
class LegendEntry:
    label: str
    css_class: str
    fill: str = ""  # e.g. the map's hatching, url(#…)


@dataclass
class Map:
    """What `templates/includes/map.html` shows: the SVG, its legend and its table."""

    svg: SafeString
    title: str
    description: str
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    legend: list[LegendEntry] = field(default_factory=list)
    not_shown: list[Municipality] = field(default_factory=list)
    attribution: str = ATTRIBUTION
    table_id: str = ""
    numeric: bool = False  # last column holds numbers (right-aligned)


@dataclass
class _Layer:
    css_class: str
    shapes: list[Shape]
    links: bool = True
    labels: dict[str, str] = field(default_factory=dict)  # key → accessible name
    current: str = ""  # key of the page's own municipality (aria-current)


def _svg(
    base: BaseMap,
    layers: list[_Layer],
    *,
    title: str,
    description: str,
    ident: str,
    view: tuple[float, float, float, float] | None = None,
) -> SafeString:
    x0, y0, x1, y1 = view or (0.0, 0.0, base.width, base.height)
    width, height = x1 - x0, y1 - y0
    spacing = _number(max(width, height) / 110)
    has_links = any(layer.links and layer.shapes for layer in layers)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map__svg" '
        f'viewBox="{_number(x0)} {_number(y0)} {_number(width)} {_number(height)}" '
        f'preserveAspectRatio="xMidYMid meet" role="{"group" if has_links else "img"}" '
        f'aria-labelledby="{ident}-title" aria-describedby="{ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{ident}-hatch" patternUnits="userSpaceOnUse" width="{spacing}" '
        f'height="{spacing}" patternTransform="rotate(45)">'
        f'<rect class="map__hatch-ground" width="{spacing}" height="{spacing}" fill="#0a5096"/>'
        f'<rect class="map__hatch-line" width="{_number(float(spacing) / 3)}" '
        f'height="{spacing}" fill="#ffffff"/></pattern></defs>',
    ]
    for layer in layers:
        if not layer.shapes:
            continue
        hidden = "" if layer.links else ' aria-hidden="true"'
        out.append(f'<g class="map__layer {layer.css_class}"{hidden}>')
        fill = f' fill="url(#{ident}-hatch)"' if "map__layer--highlight" in layer.css_class else ""
        for shape in layer.shapes:
            path = f'<path d="{shape.d}" fill-rule="evenodd"{fill}/>'
            if not layer.links:
                out.append(path)
                continue
            label = escape(layer.labels.get(shape.key, shape.name))
            current = ' aria-current="page"' if shape.key == layer.current else ""
            out.append(
                f'<a href="{escape(shape.url)}" aria-label="{label}"{current}>'
                f"<title>{label}</title>{path}</a>"
            )
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # every name and URL above went through escape()


def _ident(*parts: object) -> str:
    digest = hashlib.blake2s("|".join(map(str, parts)).encode(), digest_size=4).hexdigest()
    return f"map-{digest}"


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _sort_key(name: str) -> str:
    """German order, as `Municipality.sort_name`: "Märkischer Kreis" before "Mettmann"."""
    return name.lower().translate(_FOLD)


def _kind_label(kind: str) -> str:
    return str(Kind(kind).label) if kind in Kind.values else kind


def _view(shapes: Iterable[Shape], base: BaseMap, pad: float = 0.04) -> tuple[float, ...] | None:
    boxes = [s.box for s in shapes if s.d]
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    margin = max(x1 - x0, y1 - y0) * pad
    return (
        max(x0 - margin, 0.0),
        max(y0 - margin, 0.0),
        min(x1 + margin, base.width),
        min(y1 + margin, base.height),
    )


def _background(base: BaseMap) -> list[_Layer]:
    """Kreise (or, without them, Gemeinden) in grey and the Regierungsbezirke drawn over them."""
    shapes = list((base.kreise or base.gemeinden or base.bezirke or base.land).values())
    layers = [_Layer("map__layer--base", shapes, links=False)]
    if base.bezirke:
        layers.append(_Layer("map__layer--borders", list(base.bezirke.values()), links=False))
    return layers


# (a) Participating municipalities ----------------------------------------------------------------


def programme_map(programme, *, table: bool = True, region: str = NRW) -> Map | None:
    """NRW with the municipalities taking part in a programme hatched and linked."""
    # .all() reuses participations the detail view already prefetched with their municipality.
    participations = sorted(
        (p for p in programme.participations.all() if p.municipality.is_active),
        key=lambda p: (p.municipality.sort_name, p.role),
    )
    roles: dict[Municipality, list[str]] = {}
    for participation in participations:
        roles.setdefault(participation.municipality, []).append(
            str(participation.get_role_display())
        )
    return highlight_map(
        list(roles),
        title=_("Karte: Teilnehmende Kommunen in Nordrhein-Westfalen"),
        description=_(
            "Karte von Nordrhein-Westfalen mit Kreisen und Regierungsbezirken. Schraffiert und "
            "verlinkt: die Kommunen, die an „%(programme)s“ teilnehmen."
        )
        % {"programme": programme.title},
        caption=_("Teilnehmende Kommunen"),
        roles={m.key: ", ".join(r) for m, r in roles.items()},
        table=table,
        region=region,
    )


def highlight_map(
    municipalities: Iterable[Municipality],
    *,
    title: str,
    description: str,
    caption: str,
    roles: Mapping[str, str] | None = None,
    table: bool = True,
    region: str = NRW,
) -> Map | None:
    """NRW with the given municipalities hatched and linked; None without outlines or matches."""
    base = base_map(region)
    if base is None:
        return None
    municipalities = sorted(set(municipalities), key=lambda m: (_sort_key(m.name), m.key))
    shown, not_shown = [], []
    for municipality in municipalities:
        shape = base.shape(municipality.key) if municipality.key.startswith(region) else None
        (shown if shape else not_shown).append((municipality, shape))
    if not shown:
        return None
    # Larger areas first, so a hatched Kreis does not hide a hatched Gemeinde in it.
    shapes = [s for _, s in sorted(shown, key=lambda pair: len(pair[0].key))]
    labels = {m.key: _highlight_label(m, roles) for m, _ in shown}
    layers = [*_background(base), _Layer("map__layer--highlight", shapes, labels=labels)]
    ident = _ident("highlight", *(m.key for m, _ in shown))
    columns = [_("Kommune"), _("Art")] + ([_("Rolle")] if roles else [])
    rows = []
    for municipality, shape in shown:
        row = [Cell(municipality.name, shape.url), Cell(_kind_label(municipality.kind))]
        if roles:
            row.append(Cell(roles.get(municipality.key, "")))
        rows.append(row)
    shown_count = ngettext(
        "%(count)d Gebiet ist hervorgehoben.", "%(count)d Gebiete sind hervorgehoben.", len(shown)
    ) % {"count": len(shown)}
    description = f"{description} {shown_count} {_same_information(table)}"
    return Map(
        svg=_svg(base, layers, title=title, description=description, ident=ident),
        title=title,
        description=description,
        caption=caption,
        columns=columns,
        rows=rows,
        legend=[LegendEntry(caption, "map__swatch--highlight", f"url(#{ident}-hatch)")],
        not_shown=[m for m, _ in not_shown],
        table_id=f"{ident}-table",
    )


def _same_information(table: bool) -> str:
    if table:
        return _("Dieselben Angaben stehen in der Tabelle unter der Karte.")
    return _("Dieselben Angaben stehen in der Liste auf dieser Seite.")


def _highlight_label(municipality: Municipality, roles: Mapping[str, str] | None) -> str:
    role = (roles or {}).get(municipality.key)
    return f"{municipality.name} ({role})" if role else municipality.name


# (b) A municipality in its Kreis and Regierungsbezirk --------------------------------------------


def municipality_map(
    municipality: Municipality, *, table: bool = True, region: str = NRW
) -> Map | None:
    """The municipality hatched within its Kreis, zoomed to its Regierungsbezirk.

    A Kreis shows its Gemeinden hatched, a Regierungsbezirk its Kreise on the map of NRW, the
    Land its Regierungsbezirke. Neighbours are linked; the table lists every linked shape.
    """
    base = base_map(region)
    key = municipality.key
    own = base.shape(key) if base is not None and key.startswith(region) else None
    if own is None:
        return None
    nrw = base.land.get(region)
    nrw_name = nrw.name if nrw else _("Nordrhein-Westfalen")
    district = base.bezirke.get(key[:3])
    district_name = district.name if district else nrw_name
    borders = _Layer("map__layer--borders", list(base.bezirke.values()), links=False)
    in_place = _("in %(name)s")
    neighbour_in = _("Nachbar in %(name)s")
    view = None

    if len(key) == 2:  # the Land: its Regierungsbezirke
        bezirke = list(base.bezirke.values()) or [own]
        layers = [(_Layer("map__layer--member", bezirke), in_place % {"name": nrw_name})]
    elif len(key) == 3:  # a Regierungsbezirk: its Kreise hatched, the others as neighbours
        kreise = [s for k, s in base.kreise.items() if k.startswith(key)] or [own]
        others = [s for k, s in base.bezirke.items() if k != key]
        layers = [
            (_Layer("map__layer--highlight", kreise), in_place % {"name": own.name}),
            (_Layer("map__layer--context", others), neighbour_in % {"name": nrw_name}),
            (borders, ""),
        ]
    else:
        kreis_key = key if len(key) == 5 else base.kreis_of(key)
        kreis = base.kreise.get(kreis_key)
        neighbours = [s for k, s in base.kreise.items() if k[:3] == key[:3] and k != kreis_key]
        in_kreis = [
            s
            for k, s in base.gemeinden.items()
            if k.startswith(kreis_key) and k not in (key, kreis_key)
        ]
        if len(key) == 5:  # a Kreis: its Gemeinden hatched
            own_layer = (
                _Layer("map__layer--highlight", in_kreis or [own]),
                in_place % {"name": own.name},
            )
            members = []
        else:
            own_layer = (_Layer("map__layer--highlight", [own], current=key), _("diese Seite"))
            members = in_kreis
        layers = [
            (_Layer("map__layer--context", neighbours), neighbour_in % {"name": district_name}),
            (
                _Layer("map__layer--member", members),
                in_place % {"name": kreis.name if kreis else ""},
            ),
            own_layer,
        ]
        if kreis is not None and kreis.key != key:
            layers.append((_Layer("map__layer--outline", [kreis], links=False), ""))
        layers.append(
            (_Layer("map__layer--borders", [district] if district else [], links=False), "")
        )
        view = _view([district] if district else [*neighbours, own], base)

    title = _("Karte: Lage von %(name)s") % {"name": municipality.name}
    description = (
        f"{_describe_location(municipality, district_name if view else nrw_name)} "
        f"{_same_information(table)}"
    )
    rows = []
    for layer, relation in sorted(layers, key=lambda pair: _ROW_ORDER[pair[0].css_class]):
        if not layer.links:
            continue
        for shape in sorted(layer.shapes, key=lambda s: (s.key != key, _sort_key(s.name))):
            rows.append(
                [Cell(shape.name, shape.url), Cell(_kind_label(shape.kind)), Cell(relation)]
            )
    ident = _ident("municipality", key)
    drawn = [layer for layer, _relation in layers]
    return Map(
        svg=_svg(base, drawn, title=title, description=description, ident=ident, view=view),
        title=title,
        description=description,
        caption=_("Gebiete auf der Karte"),
        columns=[_("Gebiet"), _("Art"), _("Lage")],
        rows=rows,
        legend=[LegendEntry(municipality.name, "map__swatch--highlight", f"url(#{ident}-hatch)")]
        if len(key) > 2
        else [],
        table_id=f"{ident}-table",
    )


_ROW_ORDER = {
    "map__layer--highlight": 0,
    "map__layer--member": 1,
    "map__layer--context": 2,
    "map__layer--outline": 3,
    "map__layer--borders": 3,
}


def _describe_location(municipality: Municipality, place: str) -> str:
    chain = [a.name for a in reversed(list(municipality.ancestors()))]
    where = ", ".join(chain)
    if not where:
        return _("Kartenausschnitt: %(place)s.") % {"place": place}
    return _("Kartenausschnitt: %(place)s. Schraffiert: %(name)s (%(kind)s) in %(where)s.") % {
        "place": place,
        "name": municipality.name,
        "kind": _kind_label(municipality.kind),
        "where": where,
    }


# (c) Choropleth by Kreis -------------------------------------------------------------------------

CHOROPLETH_CLASSES = 5


def choropleth_map(
    counts: Mapping,
    *,
    title: str | None = None,
    unit: tuple[str, str] | None = None,
    table: bool = True,
    region: str = NRW,
) -> Map | None:
    """Kreise and kreisfreie Städte shaded by a count.

    `counts` maps a Kreis-level municipality (or its key) to a number; a kreisfreie Stadt may be
    given by its Kreis key (05124) or its Gemeinde key (05124000). Missing Kreise count 0.
    `unit` is the singular and plural noun of the count ("Programm", "Programme").
    """
    base = base_map(region)
    if base is None or not base.kreise:
        return None
    by_key: dict[str, int] = {}
    for item, value in counts.items():
        key = item.key if isinstance(item, Municipality) else str(item)
        if len(key) == 5 and key not in base.kreise:
            key += "000"
        by_key[key] = by_key.get(key, 0) + int(value or 0)
    singular, plural = unit or (_("Programm"), _("Programme"))
    title = title or _("Karte: Programme je Kreis und kreisfreier Stadt")
    bins = _bins(max(by_key.values(), default=0))

    layers, legend = [], []
    for index, (low, high) in enumerate(bins):
        shapes = [s for k, s in base.kreise.items() if low <= by_key.get(k, 0) <= high]
        labels = {}
        for shape in shapes:
            value = by_key.get(shape.key, 0)
            labels[shape.key] = f"{shape.name}: {value} {singular if value == 1 else plural}"
        layers.append(_Layer(f"map__layer--class map__class-{index}", shapes, labels=labels))
        label = str(low) if low == high else f"{low}–{high}"
        legend.append(
            LegendEntry(
                f"{label} {singular if high == 1 else plural}", f"map__swatch map__class-{index}"
            )
        )
    if base.bezirke:
        layers.append(_Layer("map__layer--borders", list(base.bezirke.values()), links=False))
    rows = [
        [
            Cell(shape.name, shape.url),
            Cell(_kind_label(shape.kind)),
            Cell(str(by_key.get(shape.key, 0))),
        ]
        for shape in sorted(base.kreise.values(), key=lambda s: _sort_key(s.name))
    ]
    description = _(
        "Karte von Nordrhein-Westfalen mit %(count)d Kreisen und kreisfreien Städten, je dunkler, "
        "desto mehr %(unit)s (höchstens %(max)d)."
    ) % {"count": len(base.kreise), "unit": plural, "max": max(by_key.values(), default=0)}
    description = f"{description} {_same_information(table)}"
    ident = _ident("choropleth", title, *sorted(by_key.items()))
    return Map(
        svg=_svg(base, layers, title=title, description=description, ident=ident),
        title=title,
        description=description,
        caption=_("%(unit)s je Kreis und kreisfreier Stadt") % {"unit": plural},
        columns=[_("Kreis oder kreisfreie Stadt"), _("Art"), plural],
        rows=rows,
        legend=legend,
        table_id=f"{ident}-table",
        numeric=True,
    )


def _bins(maximum: int) -> list[tuple[int, int]]:
    """0 on its own, then up to four classes of equal width: 0 · 1–2 · 3–4 · 5–6 · 7–8."""
    if maximum <= 0:
        return [(0, 0)]
    steps = min(CHOROPLETH_CLASSES - 1, maximum)
    bins, low = [(0, 0)], 1
    for step in range(1, steps + 1):
        high = math.ceil(maximum * step / steps)
        bins.append((low, high))
        low = high + 1
    return bins


def programme_counts_by_kreis(region: str = NRW) -> dict[str, int]:
    """Published programmes with a participant in each Kreis or kreisfreie Stadt (or in it)."""
    from municipalities.counts import programme_counts

    kreise = set(
        Municipality.objects.filter(key__startswith=region, key__regex=r"^\d{5}$").values_list(
            "key", flat=True
        )
    )
    return {
        key: count
        for key, count in programme_counts().items()
        if key.startswith(region)
        and ((len(key) == 5 and key in kreise) or (len(key) == 8 and key[:5] not in kreise))
    }
