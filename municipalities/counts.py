"""How many published programmes each municipality and each region takes part in.

A region counts a programme once when the region itself or any municipality inside it takes
part (its key is a prefix of theirs). Counted per correlated subquery for every row shown, a
list of Kreise took seconds at 100,000 programmes; instead one query fetches the programmes of
every municipality, Python adds them up for every key prefix (Land, Regierungsbezirk, Kreis),
and the result is kept until the catalogue changes (`core.cache.per_version`).
"""

from collections import defaultdict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count

from core.cache import per_version
from programmes.models import Participation, Programme

KEY_LENGTHS = (2, 3, 5, 8)


@per_version("municipalities:programme-counts")
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


@per_version("municipalities:open-programme-counts")
def open_programme_counts(today=None) -> dict[int, int]:
    """Region id → published programmes open to that region (`Programme.region`)."""
    regions = Programme.objects.published().exclude(region=None).values_list("region_id")
    return dict(regions.annotate(count=Count("pk")).order_by())
