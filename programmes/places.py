"""Programmes and places: how many programmes each municipality and region takes part in,
and what the municipality pages show of programmes (registered as a PlaceExtension).

A region counts a programme once when the region itself or any municipality inside it takes
part (its key is a prefix of theirs). Counted per correlated subquery for every row shown, a
list of Kreise took seconds at 100,000 programmes; instead one query fetches the programmes of
every municipality, Python adds them up for every key prefix (Land, Regierungsbezirk, Kreis),
and the result is kept until the catalogue changes (`core.cache.per_version`).
"""

from collections import defaultdict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.cache import per_version
from core.listing import BadParameters, PageByIds, paginate, query_without
from municipalities.extensions import PlaceExtension
from programmes.models import Participation, Programme

KEY_LENGTHS = (2, 3, 5, 8)
# A municipality page lists this many participations; the programme list has all of them.
PARTICIPATIONS_SHOWN = 50


@per_version("programmes:programme-counts")
def programme_counts(today=None) -> dict[str, int]:
    """Key (of any length) → published programmes with a participant there or inside."""
    linked = (
        Participation.objects.filter(programme__publication="published")
        .values_list("municipality__key")
        .annotate(ids=ArrayAgg("programme_id"))
        .order_by()
    )
    programmes: dict[str, set[int]] = defaultdict(set)
    for key, ids in linked:
        for length in KEY_LENGTHS:
            if length <= len(key):
                programmes[key[:length]].update(ids)
    return {key: len(ids) for key, ids in programmes.items()}


@per_version("programmes:open-programme-counts")
def open_programme_counts(today=None) -> dict[int, int]:
    """Region id → published programmes open to that region (`Programme.region`)."""
    regions = Programme.objects.published().exclude(region=None).values_list("region_id")
    return dict(regions.annotate(count=Count("pk")).order_by())


def municipality_programmes(request, municipality, ancestors) -> dict:
    """The municipality page's sections on programmes: what it takes part in, what is open
    to it (a page of the programmes whose region is the place or contains it)."""
    participations = list(
        Participation.objects.filter(municipality=municipality, programme__publication="published")
        .select_related("programme")
        .order_by("programme__sort_title", "round", "role")[: PARTICIPATIONS_SHOWN + 1]
    )
    regions = [a.pk for a in ancestors] + [municipality.pk]
    open_to_it = Programme.objects.published().filter(region__in=regions)
    rows = Programme.objects.with_status().for_listing()
    context = {
        "participations": participations[:PARTICIPATIONS_SHOWN],
        "more_participations": len(participations) > PARTICIPATIONS_SHOWN,
        "page_query": query_without(request.GET, "page"),
    }
    try:
        context["page"] = paginate(
            PageByIds(open_to_it.order_by("sort_title", "pk"), rows),
            request.GET.get("page"),
            count=sum(open_programme_counts().get(region, 0) for region in regions),
        )
    except BadParameters as bad:
        context["errors"] = bad.errors
    return context


EXTENSION = PlaceExtension(
    count_label=_("Programme"),
    counts=programme_counts,
    detail_template="programmes/municipality_programmes.html",
    detail_context=municipality_programmes,
    list_template="programmes/municipality_list_map.html",
)
