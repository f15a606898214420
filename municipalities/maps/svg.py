"""What every map shares: its layers, the SVG rendered by a template, the table beside it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.text import xml_text
from municipalities.maps.base import ATTRIBUTION, BaseMap, Kind, Shape
from municipalities.models import Municipality

SVG_TEMPLATE = "includes/map_svg.html"


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

    svg: str
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
class Layer:
    css_class: str
    shapes: list[Shape]
    links: bool = True
    labels: dict[str, str] = field(default_factory=dict)  # key → accessible name
    current: str = ""  # key of the page's own municipality (aria-current)

    @property
    def hatched(self) -> bool:
        return "map__layer--highlight" in self.css_class

    def items(self) -> list[dict]:
        return [
            {
                "d": shape.d,
                "url": shape.url,
                "label": self.labels.get(shape.key, shape.name),
                "current": shape.key == self.current,
            }
            for shape in self.shapes
        ]


def render_svg(
    base: BaseMap,
    layers: list[Layer],
    *,
    title: str,
    description: str,
    ident: str,
    view: tuple[float, float, float, float] | None = None,
) -> str:
    x0, y0, x1, y1 = view or (0.0, 0.0, base.width, base.height)
    width, height = x1 - x0, y1 - y0
    spacing = max(width, height) / 110
    drawn = [layer for layer in layers if layer.shapes]
    svg = render_to_string(
        SVG_TEMPLATE,
        {
            "ident": ident,
            "view_box": " ".join(_number(v) for v in (x0, y0, width, height)),
            "role": "group" if any(layer.links for layer in drawn) else "img",
            "title": title,
            "description": description,
            "spacing": _number(spacing),
            "line_width": _number(spacing / 3),
            "layers": drawn,
        },
    )
    # Names and titles come from the database; the SVG stays XML whatever they hold.
    return mark_safe(xml_text(svg))  # leaving characters out of escaped markup adds none


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


def ident(*parts: object) -> str:
    """A short id for the SVG's elements, stable for the same map."""
    digest = hashlib.blake2s("|".join(map(str, parts)).encode(), digest_size=4).hexdigest()
    return f"map-{digest}"


def kind_label(kind: str) -> str:
    return str(Kind(kind).label) if kind in Kind.values else kind


def view_of(shapes: Iterable[Shape], base: BaseMap, pad: float = 0.04) -> tuple | None:
    """The part of the map that shows `shapes`, with a margin."""
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


def background(base: BaseMap) -> list[Layer]:
    """Kreise (or, without them, Gemeinden) in grey and the Regierungsbezirke drawn over them."""
    shapes = list((base.kreise or base.gemeinden or base.bezirke or base.land).values())
    layers = [Layer("map__layer--base", shapes, links=False)]
    if base.bezirke:
        layers.append(Layer("map__layer--borders", list(base.bezirke.values()), links=False))
    return layers


def same_information(table: bool) -> str:
    if table:
        return _("Dieselben Angaben stehen in der Tabelle unter der Karte.")
    return _("Dieselben Angaben stehen in der Liste auf dieser Seite.")
