"""How another app adds to the pages of places, without municipalities knowing that app.

municipalities shows places: register facts, hierarchy, maps. An app that relates its own
entries to places (programmes: who takes part where, what is open to a place) registers a
`PlaceExtension` in its AppConfig.ready(); the municipality list and page show what every
registered extension contributes. Imports keep one direction: that app imports
municipalities, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.http import HttpRequest

from municipalities.models import Municipality


@dataclass(frozen=True)
class PlaceExtension:
    # Heading of a count column in tables of places ("Programme").
    count_label: str
    # Official key (of any length) → that count, for the list and for the places in a region.
    counts: Callable[[], Mapping[str, int]]
    # A section of the municipality page, rendered with the page's context plus ...
    detail_template: str
    # ... what this returns for (request, municipality, its ancestors); "errors" in it (a list
    # of core.listing.ParameterError) makes the page answer 400.
    detail_context: Callable[[HttpRequest, Municipality, list[Municipality]], dict]
    # A section under the municipality list (e.g. a map), or "".
    list_template: str = ""


_registered: list[PlaceExtension] = []


def register(extension: PlaceExtension) -> None:
    if extension not in _registered:
        _registered.append(extension)


def registered() -> tuple[PlaceExtension, ...]:
    return tuple(_registered)


def with_counts(places: list[Municipality]) -> list[Municipality]:
    """Each place gets `counts`: one number per registered extension, in order."""
    tables = [extension.counts() for extension in _registered]
    for place in places:
        place.counts = [table.get(place.key, 0) for table in tables]
    return places
