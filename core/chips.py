"""The active filters of a list as removable chips, named as people know them.

A chip says "Thema: Digitalisierung" or "Kommune: Iserlohn", never a slug or an official key,
and links to the same list without its value (from the first page, without empty parameters).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.http import QueryDict
from django.utils.formats import date_format


@dataclass(frozen=True)
class Chip:
    name: str  # the parameter
    parameter: str  # its label, e.g. "Thema"
    value: str  # the value in words, e.g. "Digitalisierung"
    href: str  # the list without this value


def filter_chips(
    request, filterset, names: Iterable[str], shown: Callable[[str, str], str]
) -> list[Chip]:
    """One chip per value of the named parameters in the (normalised) query, in that order;
    `shown(name, value)` puts a value into words."""
    query = request.GET
    chips = []
    for name in names:
        values = query.getlist(name)
        for value in values:
            remaining = query.copy()
            remaining.setlist(name, [other for other in values if other != value])
            remaining.pop("page", None)
            label = str(filterset.filters[name].label)
            chips.append(Chip(name, label, shown(name, value), address(request, remaining)))
    return chips


def in_words(value) -> str:
    """A cleaned filter value as a list shows it: a place or entry by its name, a date in words."""
    if isinstance(value, date):
        return date_format(value, "j. F Y")
    return str(getattr(value, "name", value))


def address(request, query: QueryDict) -> str:
    """This page's address with the query, without a bare "?" when nothing is left."""
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path
