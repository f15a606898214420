"""Disjunctive facet counts for the programme list.

Each option shows how many programmes the list would hold if that option were chosen as well,
with every *other* active filter applied (as faceted search does everywhere): choosing a second
topic widens the list, so topic counts ignore the topic filter itself.

Counting this in SQL takes one pass over the catalogue per facet; at 100,000 programmes that is
seconds. Instead, `CatalogueIndex` holds for every option the set of published programmes that
have it, as a bitset (a Python int whose bit *n* stands for the programme with id *n*). It is
built with two queries once per catalogue version and day, in each process, and counting is then
AND and popcount: every count of a page in well under a millisecond, whatever the filters.

Filters that are no facet (the search, the municipality, the deadline) come from the database
as the set of programmes they admit: one query when they are used, none otherwise.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, CharField, F, IntegerField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import QueryDict

from portal.cache import per_version
from programmes.filters import NON_FACET_FILTERS, ProgrammeFilterSet
from programmes.models import (
    FundingBody,
    GuidingPrinciple,
    Level,
    Programme,
    TargetGroup,
    Topic,
)
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


# Facets over a field's choices: parameter → choices.
CHOICE_FACETS = {
    "status": Status.choices,
    "kind": Programme.Kind.choices,
    "level": Level.choices,
}
# Facets over related entries, in the order the form shows them.
RELATED_FACETS = ("topic", "target_group", "funder", "principle")


def bitset(ids) -> int:
    """The set of ids as an int with bit *id* set."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return 0
    data = bytearray((max(ids) >> 3) + 1)
    for i in ids:
        data[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(data, "little")


_BITS_OF_BYTE = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]


def members(bits: int) -> list[int]:
    """The ids in a bitset, ascending."""
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    return [
        position * 8 + bit
        for position, byte in enumerate(data)
        if byte
        for bit in _BITS_OF_BYTE[byte]
    ]


@dataclass(frozen=True)
class CatalogueIndex:
    """Published programmes by facet option, for one catalogue version and day."""

    published: int
    bits: dict[str, dict[str, int]]  # facet → option value → bitset
    entries: dict[str, list[tuple[str, str]]]  # related facet → [(slug, label)] in list order


@per_version("programmes:catalogue-index")
def catalogue_index(today: date) -> CatalogueIndex:
    """Two queries: the published programmes grouped by their choices, and every vocabulary
    entry with the programmes linked to it."""
    published = 0
    bits: dict[str, dict[str, int]] = {name: {} for name in (*CHOICE_FACETS, "funder")}
    groups = (
        Programme.objects.published()
        .with_status(today)
        .values_list("status", "kind", "level", "funding_body__slug")
        .annotate(ids=ArrayAgg("pk"))
        .order_by()
    )
    for status, kind, level, funder, ids in groups:
        members = bitset(ids)
        published |= members
        for name, value in (("status", status), ("kind", kind), ("level", level)):
            bits[name][value] = bits[name].get(value, 0) | members
        if funder:
            bits["funder"][funder] = bits["funder"].get(funder, 0) | members

    entries: dict[str, list[tuple[str, str]]] = {name: [] for name in RELATED_FACETS}
    ranked = []
    for facet, slug, name, short_name, position, number, ids in _vocabulary():
        if facet == "principle":
            label, order = f"{number}. {name}", (position, number)
        else:
            label, order = (f"{name} ({short_name})" if short_name else name), (name,)
        ranked.append((facet, order, slug, label))
        if facet != "funder":  # funders are counted from the groups above
            bits.setdefault(facet, {})[slug] = bitset(ids) & published
    for facet, _order, slug, label in sorted(ranked, key=lambda entry: entry[:2]):
        entries[facet].append((slug, label))
    return CatalogueIndex(published, bits, entries)


def _vocabulary():
    """(facet, slug, name, short name, position, number, programme ids) of every entry of the
    four vocabularies, in one UNION ALL query. Funders come without ids: the grouped query of
    `catalogue_index` already has them."""
    zero = Value(0, output_field=IntegerField())
    text = Value("", output_field=CharField())
    no_ids = Cast(Value("{}"), ArrayField(BigIntegerField()))

    def entries(model, facet, *, name="name", short_name=text, position=zero, number=zero):
        ids = no_ids if model is FundingBody else ArrayAgg("programmes", default=no_ids)
        return (
            model.objects.annotate(ids=ids)
            .values_list(
                Value(facet, output_field=CharField()),
                "slug",
                name,
                short_name,
                Cast(position, IntegerField()),
                Cast(number, IntegerField()),
                "ids",
            )  # fmt: skip
            .order_by()
        )

    principles = entries(
        GuidingPrinciple, "principle", name="title",
        position=F("framework__position"), number=F("number"),
    )  # fmt: skip
    return entries(Topic, "topic").union(
        entries(TargetGroup, "target_group"),
        entries(FundingBody, "funder", short_name=F("short_name")),
        principles,
        all=True,
    )


@dataclass(frozen=True)
class Counts:
    total: int
    facets: dict[str, Facet]
    matching: int  # bitset of the programmes the list holds

    def programmes(self):
        """The programmes the list holds, by id: one array parameter, however many."""
        ids = RawSQL("SELECT unnest(%s::bigint[])", (members(self.matching),))
        return Programme.objects.filter(pk__in=ids)


class FacetCounter:
    def __init__(self, filterset: ProgrammeFilterSet):
        self.filterset = filterset
        self.data: QueryDict = filterset.data

    def compute(self) -> Counts:
        """The result count, every facet (in a fixed order for the form) and the programmes."""
        index = catalogue_index()
        admitted = self._admitted_by_other_filters(index)
        chosen = {
            name: [value for value in self.data.getlist(name) if value]
            for name in (*CHOICE_FACETS, *RELATED_FACETS)
        }
        selected = {
            name: _union(index.bits.get(name, {}).get(value, 0) for value in values)
            for name, values in chosen.items()
            if values
        }
        if "status" not in selected:  # the list's default: closed programmes hidden
            selected["status"] = index.published & ~index.bits["status"].get(Status.CLOSED, 0)

        def matching_without(name: str | None) -> int:
            result = admitted
            for other, members in selected.items():
                if other != name:
                    result &= members
            return result

        facets = {}
        labels = {name: self.filterset.filters[name].label for name in chosen}
        for name, choices in CHOICE_FACETS.items():
            options = [(value, str(label)) for value, label in choices]
            facets[name] = self._facet(name, labels[name], options, index, matching_without(name))
        for name in RELATED_FACETS:
            options = index.entries[name]
            facets[name] = self._facet(name, labels[name], options, index, matching_without(name))
        matching = matching_without(None)
        return Counts(matching.bit_count(), facets, matching)

    def _facet(self, name, label, options, index, matching) -> Facet:
        chosen = set(self.data.getlist(name))
        members = index.bits.get(name, {})
        return Facet(
            name,
            label,
            [
                Option(value, text, (matching & members.get(value, 0)).bit_count(), value in chosen)
                for value, text in options
            ],
        )

    def _admitted_by_other_filters(self, index: CatalogueIndex) -> int:
        """Published programmes that the search, municipality and deadline filters admit."""
        used = [name for name in NON_FACET_FILTERS if self.filterset.form.cleaned_data.get(name)]
        if not used:
            return index.published
        programmes = self.filterset.apply(Programme.objects.published(), used)
        ids = programmes.order_by().aggregate(ids=ArrayAgg("pk", default=Value([])))["ids"]
        return bitset(ids) & index.published


def _union(members) -> int:
    result = 0
    for bits in members:
        result |= bits
    return result
