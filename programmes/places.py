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
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.cache import per_version
from core.listing import BadParameters, PageByIds, paginate, query_without
from municipalities.extensions import PlaceExtension
from programmes.filters import ProgrammeFilterSet, Sort
from programmes.models import Participation, Programme
from programmes.querysets import Status

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


# What the municipality page offers under "offen für …": what one can still join or apply
# for (ended programmes are of no use there), the next deadline first.
STILL_OPEN = (Status.OPEN, Status.UPCOMING, Status.RUNNING)


def open_to_query(municipality) -> QueryDict:
    """The programme list's parameters for what is open to the place (programmes.openness)."""
    query = QueryDict(mutable=True)
    query["open_to"] = municipality.slug
    query.setlist("status", STILL_OPEN)
    query["sort"] = Sort.DEADLINE
    return query


def municipality_programmes(request, municipality, ancestors) -> dict:
    """The municipality page's sections on programmes: what it takes part in, and a page of
    what is open to it, through the programme list's own FilterSet (the same rule, counts
    from the catalogue index)."""
    participations = list(
        Participation.objects.filter(municipality=municipality, programme__publication="published")
        .select_related("programme")
        .order_by("programme__sort_title", "round", "role")[: PARTICIPATIONS_SHOWN + 1]
    )
    query = open_to_query(municipality)
    filterset = ProgrammeFilterSet(query)
    filterset.form.is_valid()  # valid by construction: the place's own slug, known choices
    in_order, total = filterset.listed()
    rows = Programme.objects.with_status().with_next_deadline().for_listing()
    context = {
        "participations": participations[:PARTICIPATIONS_SHOWN],
        "more_participations": len(participations) > PARTICIPATIONS_SHOWN,
        "page_query": query_without(request.GET, "page"),
        "open_to_query": query.urlencode(),
    }
    try:
        context["page"] = paginate(PageByIds(in_order, rows), request.GET.get("page"), count=total)
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
