"""Programme maps, rendered by `includes/map.html` (nothing where no outlines exist).

{% load programme_maps %}
{% map_for_programme programme %}      {# its participants hatched #}
{% programmes_per_kreis_map %}         {# published programmes per Kreis #}
"""

from django import template

from municipalities.maps import choropleth_map
from municipalities.templatetags.maps import TEMPLATE
from programmes.participant_map import programme_counts_by_kreis, programme_map

register = template.Library()


@register.inclusion_tag(TEMPLATE)
def map_for_programme(programme, table=True):
    return {"map": programme_map(programme, table=table), "table": table}


@register.simple_tag
def programmes_per_kreis_map(table=True):
    """A Map (or None without outlines), so the page can leave out its heading too."""
    return choropleth_map(programme_counts_by_kreis(), table=table)
