"""A municipality in its Kreis and Regierungsbezirk."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.german import sort_key
from municipalities.maps.base import NRW, BaseMap, Shape, base_map
from municipalities.maps.svg import (
    Cell,
    Layer,
    LegendEntry,
    Map,
    ident,
    kind_label,
    render_svg,
    same_information,
    view_of,
)
from municipalities.models import Municipality

# Table rows: the place itself and what is in it first, then neighbours.
_ROW_ORDER = {
    "map__layer--highlight": 0,
    "map__layer--member": 1,
    "map__layer--context": 2,
    "map__layer--outline": 3,
    "map__layer--borders": 3,
}


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
    if len(key) == 2:
        layers, view = _land_layers(base, own, nrw_name), None
    elif len(key) == 3:
        layers, view = _bezirk_layers(base, own, nrw_name), None
    else:
        layers = _kreis_or_gemeinde_layers(base, own, district, district_name)
        neighbours = [s for k, s in base.kreise.items() if k[:3] == key[:3]]
        view = view_of([district] if district else [*neighbours, own], base)

    title = _("Karte: Lage von %(name)s") % {"name": municipality.name}
    description = (
        f"{_describe(municipality, district_name if view else nrw_name)} {same_information(table)}"
    )
    map_id = ident("municipality", key)
    drawn = [layer for layer, _relation in layers]
    return Map(
        svg=render_svg(base, drawn, title=title, description=description, ident=map_id, view=view),
        title=title,
        description=description,
        caption=_("Gebiete auf der Karte"),
        columns=[_("Gebiet"), _("Art"), _("Lage")],
        rows=_rows(layers, key),
        legend=[LegendEntry(municipality.name, "map__swatch--highlight", f"url(#{map_id}-hatch)")]
        if len(key) > 2
        else [],
        table_id=f"{map_id}-table",
    )


def _land_layers(base: BaseMap, own: Shape, nrw_name: str) -> list[tuple[Layer, str]]:
    """The Land: its Regierungsbezirke."""
    bezirke = list(base.bezirke.values()) or [own]
    return [(Layer("map__layer--member", bezirke), _in(nrw_name))]


def _bezirk_layers(base: BaseMap, own: Shape, nrw_name: str) -> list[tuple[Layer, str]]:
    """A Regierungsbezirk: its Kreise hatched, the other Bezirke as neighbours."""
    kreise = [s for k, s in base.kreise.items() if k.startswith(own.key)] or [own]
    others = [s for k, s in base.bezirke.items() if k != own.key]
    return [
        (Layer("map__layer--highlight", kreise), _in(own.name)),
        (Layer("map__layer--context", others), _neighbour_in(nrw_name)),
        (Layer("map__layer--borders", list(base.bezirke.values()), links=False), ""),
    ]


def _kreis_or_gemeinde_layers(
    base: BaseMap, own: Shape, district: Shape | None, district_name: str
) -> list[tuple[Layer, str]]:
    """A Kreis with its Gemeinden hatched, or a Gemeinde hatched among the others of its Kreis;
    the other Kreise of the Regierungsbezirk as neighbours."""
    key = own.key
    kreis_key = key if len(key) == 5 else base.kreis_of(key)
    kreis = base.kreise.get(kreis_key)
    neighbours = [s for k, s in base.kreise.items() if k[:3] == key[:3] and k != kreis_key]
    in_kreis = [
        s
        for k, s in base.gemeinden.items()
        if k.startswith(kreis_key) and k not in (key, kreis_key)
    ]
    if len(key) == 5:
        own_layer = (Layer("map__layer--highlight", in_kreis or [own]), _in(own.name))
        members = []
    else:
        own_layer = (Layer("map__layer--highlight", [own], current=key), _("diese Seite"))
        members = in_kreis
    layers = [
        (Layer("map__layer--context", neighbours), _neighbour_in(district_name)),
        (Layer("map__layer--member", members), _in(kreis.name if kreis else "")),
        own_layer,
    ]
    if kreis is not None and kreis.key != key:
        layers.append((Layer("map__layer--outline", [kreis], links=False), ""))
    layers.append((Layer("map__layer--borders", [district] if district else [], links=False), ""))
    return layers


def _in(name: str) -> str:
    return _("in %(name)s") % {"name": name}


def _neighbour_in(name: str) -> str:
    return _("Nachbar in %(name)s") % {"name": name}


def _rows(layers: list[tuple[Layer, str]], key: str) -> list[list[Cell]]:
    rows = []
    for layer, relation in sorted(layers, key=lambda pair: _ROW_ORDER[pair[0].css_class]):
        if not layer.links:
            continue
        for shape in sorted(layer.shapes, key=lambda s: (s.key != key, sort_key(s.name))):
            rows.append([Cell(shape.name, shape.url), Cell(kind_label(shape.kind)), Cell(relation)])
    return rows


def _describe(municipality: Municipality, place: str) -> str:
    chain = [a.name for a in reversed(list(municipality.ancestors()))]
    where = ", ".join(chain)
    if not where:
        return _("Kartenausschnitt: %(place)s.") % {"place": place}
    return _("Kartenausschnitt: %(place)s. Schraffiert: %(name)s (%(kind)s) in %(where)s.") % {
        "place": place,
        "name": municipality.name,
        "kind": kind_label(municipality.kind),
        "where": where,
    }
