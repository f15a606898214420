"""Disjunctive facet counts for the programme list.

Each option shows how many programmes the list would hold if that option were chosen as well,
with every *other* active filter applied (as faceted search does everywhere): choosing a second
topic widens the list, so topic counts ignore the topic filter itself. All counts come from five
queries whatever the number of options: one per related vocabulary, one for all choice fields.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import QueryDict

from programmes.filters import ProgrammeFilterSet
from programmes.models import FundingBody, GuidingPrinciple, Level, Programme, TargetGroup, Topic
from programmes.querysets import Status


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[Option]

    @property
    def selected(self) -> list[Option]:
        return [option for option in self.options if option.selected]


# Facets over related entries: parameter → (model, reverse relation from the entry).
RELATED_FACETS = {
    "topic": (Topic, "programmes"),
    "target_group": (TargetGroup, "programmes"),
    "funder": (FundingBody, "programmes"),
    "principle": (GuidingPrinciple, "programmes"),
}
# Facets over a field's choices: parameter → choices.
CHOICE_FACETS = {
    "status": Status.choices,
    "kind": Programme.Kind.choices,
    "level": Level.choices,
}


class FacetCounter:
    def __init__(self, filterset: ProgrammeFilterSet):
        self.filterset = filterset
        self.data: QueryDict = filterset.data

    def matching_without(self, name: str):
        """Primary keys of the programmes that every active filter but `name` admits."""
        return self.filterset.qs_without(name).values("pk")

    def compute(self) -> tuple[int, dict[str, Facet]]:
        """The result count and every facet, in a fixed order for the form."""
        chosen = {name: set(self.data.getlist(name)) for name in (*RELATED_FACETS, *CHOICE_FACETS)}
        facets = {}
        for name, (model, relation) in RELATED_FACETS.items():
            # Explicit order: Meta.ordering does not apply to queries with GROUP BY.
            entries = model.objects.annotate(
                hits=Count(relation, filter=Q(**{f"{relation}__in": self.matching_without(name)}))
            ).order_by(*model._meta.ordering, "pk")
            facets[name] = Facet(
                name,
                self.filterset.filters[name].label,
                [Option(e.slug, str(e), e.hits, e.slug in chosen[name]) for e in entries],
            )

        aggregates = {"total": Count("pk", filter=Q(pk__in=self.filterset.qs.values("pk")))}
        for name, choices in CHOICE_FACETS.items():
            admitted = self.matching_without(name)
            for value, _label in choices:
                aggregates[f"{name}:{value}"] = Count(
                    "pk", filter=Q(pk__in=admitted, **{name: value})
                )
        counts = Programme.objects.published().with_status().aggregate(**aggregates)
        for name, choices in CHOICE_FACETS.items():
            facets[name] = Facet(
                name,
                self.filterset.filters[name].label,
                [
                    Option(value, str(label), counts[f"{name}:{value}"], value in chosen[name])
                    for value, label in choices
                ],
            )
        return counts["total"], facets
