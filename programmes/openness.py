"""Which programmes are open to a place: the rule behind `open_to` (docs/opendata.md).

- A project is a programme that belongs to another published programme (`parent`) and has
  participants: it is the project of those places, open to them and to the places inside them
  (a Kreis's project to its Gemeinden), not to anyone else. (An unpublished parent decides
  nothing public, as for the status.)
- Any other programme is open where its region (`region`) contains the place: a programme of
  the Land NRW to every NRW municipality, one of a Kreis to the Kreis and its Gemeinden.
- Without a region the level decides: an EU or Bund programme is open to every municipality
  in Germany, a Land programme to those in NRW (the Land of this catalogue); a programme of a
  municipality or of civil society without a region is open to no one in particular.

`open_to(place)` says it in SQL (exports, feeds, long lists); `Reach` holds the same as bitsets
of the catalogue index (programmes.facets), built once per catalogue version, so the list, the
API and the municipality page count and page through it without a query.
"""

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import BooleanField, CharField, Exists, ExpressionWrapper, OuterRef, Q, Value

from core.cache import per_version
from municipalities.models import KEY_PREFIX_LENGTHS, Municipality
from municipalities.nrw_data import NRW
from programmes.models import Level, Participation, Programme

NATIONWIDE = (Level.EU, Level.BUND)


def containing(key: str) -> list[str]:
    """The keys of the place and of every region around it: 05962024 → 05, 059, 05962, …"""
    return [key[:n] for n in KEY_PREFIX_LENGTHS if n < len(key)] + [key]


def _levels_without_region(key: str) -> list[str]:
    return [*NATIONWIDE, Level.LAND] if key.startswith(NRW) else list(NATIONWIDE)


PUBLISHED_PARENT = Q(parent__publication=Programme.Publication.PUBLISHED)


def _is_project():
    participants = Participation.objects.filter(programme=OuterRef("pk"))
    return PUBLISHED_PARENT & Exists(participants)


def open_to(place: Municipality) -> Q:
    """The condition a programme meets when it is open to `place`."""
    keys = containing(place.key)
    participants = Participation.objects.filter(programme=OuterRef("pk"))
    own_project = PUBLISHED_PARENT & Exists(participants.filter(municipality__key__in=keys))
    by_region = Q(region__key__in=keys) | Q(
        region__isnull=True, level__in=_levels_without_region(place.key)
    )
    return own_project | (by_region & ~_is_project())


@dataclass(frozen=True)
class Reach:
    """The published programmes as bitsets (positions of the catalogue index)."""

    by_region: dict[str, int]  # region key → programmes with that region, no projects
    by_level: dict[str, int]  # level → programmes without a region, no projects
    by_participant: dict[str, int]  # participant's key → projects it takes part in

    def open_to(self, key: str) -> int:
        bits = 0
        for level in _levels_without_region(key):
            bits |= self.by_level.get(level, 0)
        for region in containing(key):
            bits |= self.by_region.get(region, 0) | self.by_participant.get(region, 0)
        return bits


@per_version("programmes:reach")
def reach(today=None) -> Reach:
    """One query: programmes (not projects) by region and level, projects by participant."""
    from programmes.facets import catalogue_index

    index = catalogue_index(today)
    text = Value("", output_field=CharField())
    project = ExpressionWrapper(_is_project(), output_field=BooleanField())
    groups = (
        Programme.objects.published()
        .annotate(project=project)
        .filter(project=False)
        .values_list(Value("region", output_field=CharField()), "region__key", "level")
        .annotate(ids=ArrayAgg("pk"))
        .order_by()
    )
    projects = (
        Participation.objects.filter(
            programme__publication=Programme.Publication.PUBLISHED,
            programme__parent__publication=Programme.Publication.PUBLISHED,
        )
        .values_list(Value("project", output_field=CharField()), "municipality__key", text)
        .annotate(ids=ArrayAgg("programme_id"))
        .order_by()
    )
    by_region: dict[str, int] = {}
    by_level: dict[str, int] = {}
    by_participant: dict[str, int] = {}
    for row, key, level, ids in groups.union(projects, all=True):
        if row == "project":
            table, name = by_participant, key
        else:
            table, name = (by_region, key) if key else (by_level, level)
        table[name] = table.get(name, 0) | index.bitset(ids)
    return Reach(by_region, by_level, by_participant)
