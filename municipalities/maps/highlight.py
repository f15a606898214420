"""NRW with some municipalities hatched and linked, e.g. the participants of a programme."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.german import sort_key
from municipalities.maps.base import NRW, base_map
from municipalities.maps.svg import (
    Cell,
    Layer,
    LegendEntry,
    Map,
    background,
    ident,
    kind_label,
    render_svg,
    same_information,
)
from municipalities.models import Municipality


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
    """NRW with the given municipalities hatched and linked; None without outlines or matches.

    `roles` maps a key to what the municipality is (e.g. "Leitkommune"), shown in its label
    and in a table column."""
    base = base_map(region)
    if base is None:
        return None
    municipalities = sorted(set(municipalities), key=lambda m: (sort_key(m.name), m.key))
    shown, not_shown = [], []
    for municipality in municipalities:
        shape = base.shape(municipality.key) if municipality.key.startswith(region) else None
        (shown if shape else not_shown).append((municipality, shape))
    if not shown:
        return None
    # Larger areas first, so a hatched Kreis does not hide a hatched Gemeinde in it.
    shapes = [s for _, s in sorted(shown, key=lambda pair: len(pair[0].key))]
    labels = {m.key: _label(m, roles) for m, _ in shown}
    layers = [*background(base), Layer("map__layer--highlight", shapes, labels=labels)]
    map_id = ident("highlight", *(m.key for m, _ in shown))
    columns = [_("Kommune"), _("Art")] + ([_("Rolle")] if roles else [])
    rows = []
    for municipality, shape in shown:
        row = [Cell(municipality.name, shape.url), Cell(kind_label(municipality.kind))]
        if roles:
            row.append(Cell(roles.get(municipality.key, "")))
        rows.append(row)
    shown_count = ngettext(
        "%(count)d Gebiet ist hervorgehoben.", "%(count)d Gebiete sind hervorgehoben.", len(shown)
    ) % {"count": len(shown)}
    description = f"{description} {shown_count} {same_information(table)}"
    return Map(
        svg=render_svg(base, layers, title=title, description=description, ident=map_id),
        title=title,
        description=description,
        caption=caption,
        columns=columns,
        rows=rows,
        legend=[LegendEntry(caption, "map__swatch--highlight", f"url(#{map_id}-hatch)")],
        not_shown=[m for m, _ in not_shown],
        table_id=f"{map_id}-table",
    )


def _label(municipality: Municipality, roles: Mapping[str, str] | None) -> str:
    role = (roles or {}).get(municipality.key)
    return f"{municipality.name} ({role})" if role else municipality.name
