"""NRW by Kreis and kreisfreie Stadt, shaded by a count."""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.utils.translation import gettext as _

from core.german import sort_key
from municipalities.maps.base import NRW, base_map
from municipalities.maps.svg import (
    Cell,
    Layer,
    LegendEntry,
    Map,
    ident,
    kind_label,
    render_svg,
    same_information,
)
from municipalities.models import Municipality

CLASSES = 5


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
    highest = max(by_key.values(), default=0)

    layers, legend = [], []
    for index, (low, high) in enumerate(bins(highest)):
        shapes = [s for k, s in base.kreise.items() if low <= by_key.get(k, 0) <= high]
        labels = {}
        for shape in shapes:
            value = by_key.get(shape.key, 0)
            labels[shape.key] = f"{shape.name}: {value} {singular if value == 1 else plural}"
        layers.append(Layer(f"map__layer--class map__class-{index}", shapes, labels=labels))
        label = str(low) if low == high else f"{low}–{high}"
        noun = singular if high == 1 else plural
        legend.append(LegendEntry(f"{label} {noun}", f"map__swatch map__class-{index}"))
    if base.bezirke:
        layers.append(Layer("map__layer--borders", list(base.bezirke.values()), links=False))
    rows = [
        [
            Cell(shape.name, shape.url),
            Cell(kind_label(shape.kind)),
            Cell(str(by_key.get(shape.key, 0))),
        ]
        for shape in sorted(base.kreise.values(), key=lambda s: sort_key(s.name))
    ]
    description = _(
        "Karte von Nordrhein-Westfalen mit %(count)d Kreisen und kreisfreien Städten, je dunkler, "
        "desto mehr %(unit)s (höchstens %(max)d)."
    ) % {"count": len(base.kreise), "unit": plural, "max": highest}
    description = f"{description} {same_information(table)}"
    map_id = ident("choropleth", title, *sorted(by_key.items()))
    return Map(
        svg=render_svg(base, layers, title=title, description=description, ident=map_id),
        title=title,
        description=description,
        caption=_("%(unit)s je Kreis und kreisfreier Stadt") % {"unit": plural},
        columns=[_("Kreis oder kreisfreie Stadt"), _("Art"), plural],
        rows=rows,
        legend=legend,
        table_id=f"{map_id}-table",
        numeric=True,
    )


def bins(maximum: int) -> list[tuple[int, int]]:
    """0 on its own, then up to four classes of equal width: 0 · 1–2 · 3–4 · 5–6 · 7–8."""
    if maximum <= 0:
        return [(0, 0)]
    steps = min(CLASSES - 1, maximum)
    result, low = [(0, 0)], 1
    for step in range(1, steps + 1):
        high = math.ceil(maximum * step / steps)
        result.append((low, high))
        low = high + 1
    return result
