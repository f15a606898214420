"""Server-rendered SVG maps of NRW from the stored outlines: no JavaScript, tiles or third parties.

Each map is a `Map` (the SVG, its legend and the same information as a table) or ``None`` where
no outlines were imported, so pages fall back to their lists:

`highlight_map`
    NRW with the Kreise as background and some municipalities hatched and linked (e.g. the
    participants of a programme, drawn by programmes.participant_map).
`municipality_map`
    A municipality in its Kreis and Regierungsbezirk (zoomed to the Regierungsbezirk).
`choropleth_map`
    NRW by Kreis and kreisfreie Stadt, shaded by a count.

The outlines are projected once into base layers (`base`), the SVG is rendered by a template
with auto-escaping (`svg`).
"""

from municipalities.maps.base import ATTRIBUTION, NRW, base_map
from municipalities.maps.choropleth import choropleth_map
from municipalities.maps.highlight import highlight_map
from municipalities.maps.location import municipality_map
from municipalities.maps.svg import Cell, LegendEntry, Map

__all__ = [
    "ATTRIBUTION",
    "NRW",
    "Cell",
    "LegendEntry",
    "Map",
    "base_map",
    "choropleth_map",
    "highlight_map",
    "municipality_map",
]
