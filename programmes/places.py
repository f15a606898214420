"""Programmes and places: how many programmes each municipality and region takes part in,
and what the municipality pages show of programmes (registered as a PlaceExtension).

A region counts a programme once when the region itself or any municipality inside it takes
part (its key is a prefix of theirs). Counted per correlated subquery for every row shown, a
list of Kreise took seconds at 100,000 programmes; instead one query fetches the programmes of
every municipality, Python adds them up for every key prefix (Land, Regierungsbezirk, Kreis),
and the result is kept until the catalogue changes (`core.cache.per_version`).
"""

from array import array
from bisect import bisect_left
from collections import defaultdict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.cache import per_version
from core.listing import BadParameters, paginate, query_without
from municipalities.extensions import PlaceExtension
from programmes.facets import FacetCounter, catalogue_index
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
    what is open to it: the programme list's own FilterSet counts it from the catalogue index,
    and `deadline_order` pages through it, both without a query per place."""
    participations = list(
        Participation.objects.filter(municipality=municipality, programme__publication="published")
        .select_related("programme")
        .order_by("programme__sort_title", "round", "role")[: PARTICIPATIONS_SHOWN + 1]
    )
    query = open_to_query(municipality)
    filterset = ProgrammeFilterSet(query)
    filterset.form.is_valid()  # valid by construction: the place's own slug, known choices
    counts = FacetCounter(filterset).compute()
    context = {
        "participations": participations[:PARTICIPATIONS_SHOWN],
        "more_participations": len(participations) > PARTICIPATIONS_SHOWN,
        "page_query": query_without(request.GET, "page"),
        "open_to_query": query.urlencode(),
    }
    try:
        context["page"] = paginate(
            ByDeadline(counts.matching, counts.index), request.GET.get("page"), count=counts.total
        )
    except BadParameters as bad:
        context["errors"] = bad.errors
    return context


@per_version("programmes:deadline-order")
def deadline_order(today=None) -> array:
    """The published programmes' positions in the catalogue index, by next deadline (none
    last), then title: one query per catalogue version and day instead of sorting every
    place's programmes by a subquery."""
    ids = catalogue_index(today).positions.ids
    ordered = (
        Programme.objects.published()
        .with_next_deadline(today)
        .order_by(F("next_deadline").asc(nulls_last=True), "sort_title", "pk")
        .values_list("pk", flat=True)
    )
    return array("i", (bisect_left(ids, pk) for pk in ordered))


class ByDeadline:
    """The programmes of a bitset in `deadline_order`, as the paginator slices them: the
    page's ids from the order, then those rows with what the list shows."""

    ordered = True

    def __init__(self, matching: int, index):
        self.matching, self.index = matching, index

    def count(self) -> int:
        return self.matching.bit_count()

    def __getitem__(self, page: slice):
        bits = self.matching.to_bytes((len(self.index.positions) + 7) // 8, "little")
        ids, found = self.index.positions.ids, []
        for position in deadline_order():
            if bits[position >> 3] >> (position & 7) & 1:
                found.append(ids[position])
                if len(found) >= page.stop:
                    break
        chosen = found[page.start :]
        rows = Programme.objects.with_status().with_next_deadline().for_listing()
        by_id = {row.pk: row for row in rows.filter(pk__in=chosen)}
        return [by_id[pk] for pk in chosen if pk in by_id]


EXTENSION = PlaceExtension(
    count_label=_("Programme"),
    counts=programme_counts,
    detail_template="programmes/municipality_programmes.html",
    detail_context=municipality_programmes,
    list_template="programmes/municipality_list_map.html",
)
