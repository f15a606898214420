"""Suggestions for place inputs: ``{% load places %}{% place_datalist %}`` writes one
``<datalist id="orte">`` of every active place's name (with its kind where the name alone fits
several); inputs refer to it with ``list="orte"``. Plain HTML, no script: browsers offer the
matching names while one types. Built once per catalogue version."""

from django import template
from django.utils.html import format_html, format_html_join

from core.cache import per_version
from municipalities import lookup

register = template.Library()
DATALIST_ID = "orte"


@per_version("municipalities:place-datalist")
def _datalist(today=None) -> str:
    options = format_html_join("", '<option value="{}">', ((text,) for text in lookup.labels()))
    return format_html('<datalist id="{}">{}</datalist>', DATALIST_ID, options)


@register.simple_tag
def place_datalist() -> str:
    return _datalist()
