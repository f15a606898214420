"""Map tags: each renders `includes/map.html`, or nothing where no outlines were imported.

    {% load maps %}
    {% map_for_municipality municipality %}
    {% choropleth_map counts %}            {# counts: {Kreis key or Municipality: number} #}

``table=False`` leaves out the table under the map where the page already lists the same
municipalities; the map's description then points to "the list on this page".
"""

from django import template

from municipalities import maps

register = template.Library()

TEMPLATE = "includes/map.html"


@register.inclusion_tag(TEMPLATE)
def map_for_municipality(municipality, table=True):
    return {"map": maps.municipality_map(municipality, table=table), "table": table}


@register.inclusion_tag(TEMPLATE)
def choropleth_map(counts, title=None, table=True):
    return {"map": maps.choropleth_map(counts, title=title, table=table), "table": table}
