"""Disjunctive facet counts for the programme list.

Each option shows how many programmes the list would hold if that option were chosen as well,
with every *other* active filter applied (as faceted search does everywhere): choosing a second
topic widens the list, so topic counts ignore the topic filter itself.

Counting this in SQL takes one pass over the catalogue per facet; at 100,000 programmes that is
seconds. Instead, `CatalogueIndex` holds for every option the set of published programmes that
have it, as a bitset: a Python int whose bit *n* stands for the *n*-th published programme by
id (not the programme with id *n*: ids can be sparse or huge, positions are as many as the
programmes). It is built with one query once per catalogue version and day, in each process
(~0.5 s at 100,000; one thread builds, the others wait), and counting is then AND and popcount:
every count of a page in about a millisecond, whatever the filters.

Filters that are no facet (the search, the municipality, the deadline) come from the database
as the set of programmes they admit: one query when they are used (kept for the most recent
ones), none otherwise. Up to FEW_RESULTS, the list's rows are then taken by id from that set.
"""

from array import array
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, CharField, F, IntegerField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.http import QueryDict

from core.cache import Recent, per_version
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
from programmes.search import search_matches


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool
    group: str = ""  # a Leitsatz's Leitbild: the form lists them under its heading


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[Option]

    @property
    def selected(self) -> list[Option]:
        return [option for option in self.options if option.selected]

    @property
    def groups(self) -> list[tuple[str, list[Option]]]:
        """The options under their group headings, in list order."""
        groups: dict[str, list[Option]] = {}
        for option in self.options:
            groups.setdefault(option.group, []).append(option)
        return list(groups.items())


FEW_RESULTS = 20_000

# Facets over a field's choices: parameter → choices.
CHOICE_FACETS = {
    "status": Status.choices,
    "kind": Programme.Kind.choices,
    "level": Level.choices,
}
# Facets over related entries, in the order the form shows them.
RELATED_FACETS = ("topic", "target_group", "funder", "principle")


_BITS_OF_BYTE = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]


class Positions:
    """The published programmes' ids in ascending order: a bitset's bit *n* is the *n*-th.

    Ids are usually close to consecutive; then a table over their range maps an id to its
    position in 4 bytes per id (a dict would take ~80 bytes per entry, ~8 MB per process at
    100,000). Sparse or huge ids get the dict.
    """

    def __init__(self, ids: list[int]):
        self.ids = array("q", ids)  # position → id
        self.low = ids[0] if ids else 0
        span = ids[-1] - self.low + 1 if ids else 0
        self.table: array | None = None
        self.mapping: dict[int, int] | None = None
        if span <= 4 * len(ids) + 4096:
            self.table = array("i", [-1]) * span
            for position, i in enumerate(ids):
                self.table[i - self.low] = position
        else:
            self.mapping = {i: position for position, i in enumerate(ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def bitset(self, ids) -> int:
        """The set of ids as an int with the bit of each id's position set; ids without a
        position (programmes that are not published, None) are left out."""
        data = bytearray((len(self.ids) + 7) >> 3)
        if self.mapping is not None:
            found = (self.mapping.get(i) for i in ids)
            positions = [n for n in found if n is not None]
        else:
            table, low, span = self.table, self.low, len(self.table)
            offsets = (i - low for i in ids if i is not None)
            positions = [table[k] for k in offsets if 0 <= k < span and table[k] >= 0]
        for n in positions:
            data[n >> 3] |= 1 << (n & 7)
        return int.from_bytes(data, "little")

    def members(self, bits: int) -> list[int]:
        """The ids in a bitset, ascending."""
        data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        ids = self.ids
        return [
            ids[position * 8 + bit]
            for position, byte in enumerate(data)
            if byte
            for bit in _BITS_OF_BYTE[byte]
        ]


@dataclass(frozen=True)
class CatalogueIndex:
    """Published programmes by facet option, for one catalogue version and day."""

    published: int
    bits: dict[str, dict[str, int]]  # facet → option value → bitset
    # related facet → [(slug, label, group)] in list order; only a Leitsatz has a group
    entries: dict[str, list[tuple[str, str, str]]]
    positions: Positions

    def bitset(self, ids) -> int:
        return self.positions.bitset(ids)

    def members(self, bits: int) -> list[int]:
        return self.positions.members(bits)


@per_version("programmes:catalogue-index")
def catalogue_index(today: date) -> CatalogueIndex:
    """One query: the published programmes grouped by status, kind, level and funder, and every
    vocabulary entry with the programmes linked to it."""
    rows = list(_index_rows(today))
    # Every published programme is in exactly one group.
    positions = Positions(sorted(i for facet, *_, group in rows if facet == "group" for i in group))
    published = (1 << len(positions)) - 1
    bits: dict[str, dict[str, int]] = {name: {} for name in (*CHOICE_FACETS, "funder")}
    funder_slugs = {number: slug for facet, slug, _, _, _, number, _ in rows if facet == "funder"}
    for facet, status, kind, level, funder, _number, group in rows:
        if facet != "group":
            continue
        in_group = positions.bitset(group)
        for name, value in (("status", status), ("kind", kind), ("level", level)):
            bits[name][value] = bits[name].get(value, 0) | in_group
        if funder:
            slug = funder_slugs[funder]
            bits["funder"][slug] = bits["funder"].get(slug, 0) | in_group

    entries: dict[str, list[tuple[str, str, str]]] = {name: [] for name in RELATED_FACETS}
    ranked = []
    for facet, slug, name, short_name, position, number, linked in rows:
        if facet == "group":
            continue
        if facet == "principle":  # numbered within its Leitbild, as the Leitbild numbers them
            entry, order = (slug, f"{number}. {name}", short_name), (position, number)
        else:
            entry, order = (slug, f"{name} ({short_name})" if short_name else name, ""), (name,)
        ranked.append((facet, order, entry))
        if facet != "funder":  # funders are counted from the groups
            bits.setdefault(facet, {})[slug] = positions.bitset(linked)  # published only
    for facet, _order, entry in sorted(ranked, key=lambda ranked_entry: ranked_entry[:2]):
        entries[facet].append(entry)
    return CatalogueIndex(published, bits, entries, positions)


def _index_rows(today: date):
    """Seven columns, one UNION ALL: ``(facet, text, text, text, int, int, programme ids)``.

    - ``("group", status, kind, level, funder id, 0, ids)``: published programmes by choices;
    - ``(topic|target_group, slug, name, "", 0, 0, ids)``: programmes linked to an entry;
    - ``("funder", slug, name, short name, 0, id, [])``: funders (ids come from the groups);
    - ``("principle", slug, title, Leitbild title, Leitbild position, number, ids)``.
    """
    zero = Value(0, output_field=IntegerField())
    text = Value("", output_field=CharField())
    no_ids = Cast(Value("{}"), ArrayField(BigIntegerField()))

    def columns(facet, first, second, third, fourth, fifth):
        return (
            Value(facet, output_field=CharField()), first, second, third,
            Cast(fourth, IntegerField()), Cast(fifth, IntegerField()),
        )  # fmt: skip

    def entries(model, facet, *, name="name", short_name=text, position=zero, number=zero):
        ids = no_ids if model is FundingBody else ArrayAgg("programmes", default=no_ids)
        return (
            model.objects.annotate(ids=ids)  # one row per entry
            .values_list(*columns(facet, "slug", name, short_name, position, number), "ids")
            .order_by()
        )

    funder = Coalesce("funding_body", 0)
    groups = (
        Programme.objects.published()
        .with_status(today)
        .values_list(*columns("group", "status", "kind", "level", funder, zero))
        .annotate(ids=ArrayAgg("pk"))  # one row per combination of the columns
        .order_by()
    )
    return groups.union(
        entries(Topic, "topic"),
        entries(TargetGroup, "target_group"),
        entries(FundingBody, "funder", short_name=F("short_name"), number=F("pk")),
        entries(
            GuidingPrinciple,
            "principle",
            name="title",
            short_name=F("framework__title"),
            position=F("framework__position"),
            number=F("number"),
        ),  # fmt: skip
        all=True,
    )


@dataclass(frozen=True)
class Counts:
    total: int
    facets: dict[str, Facet]
    matching: int  # bitset of the programmes the list holds
    index: CatalogueIndex

    def in_order(self, filterset: ProgrammeFilterSet):
        """The list's programmes in its order. Up to FEW_RESULTS they are taken by id from what
        the counts found, instead of filtering the catalogue again: cheaper for searches, whose
        filters PostgreSQL cannot combine with the ranking. Longer lists are filtered again,
        which the indexes serve in list order."""
        if self.total > FEW_RESULTS:
            # Without a status filter no status is derived: its join to the parent would keep
            # PostgreSQL from skipping to a deep page in the list's index alone.
            base = Programme.objects.published()
            if filterset.form.cleaned_data.get("status"):
                base = base.with_status()
            return filterset.ordered(filterset.filter_queryset(base))
        ids = RawSQL("SELECT unnest(%s::bigint[])", (self.index.members(self.matching),))
        # One array parameter, however many; the ids are published, so no status or
        # publication needs to be derived again to put them in order.
        found = Programme.objects.filter(pk__in=ids)
        text = (filterset.form.cleaned_data.get("q") or "").strip()
        return filterset.ordered(found.ranked(text) if text else found)


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
            options = [(value, str(label), "") for value, label in choices]
            facets[name] = self._facet(name, labels[name], options, index, matching_without(name))
        for name in RELATED_FACETS:
            options = index.entries[name]
            facets[name] = self._facet(name, labels[name], options, index, matching_without(name))
        matching = matching_without(None)
        return Counts(matching.bit_count(), facets, matching, index)

    def _facet(self, name, label, options, index, matching) -> Facet:
        chosen = set(self.data.getlist(name))
        members = index.bits.get(name, {})

        def count(value: str) -> int:
            return (matching & members.get(value, 0)).bit_count()

        return Facet(
            name,
            label,
            [
                Option(value, text, count(value), value in chosen, group)
                for value, text, group in options
            ],
        )

    def _admitted_by_other_filters(self, index: CatalogueIndex) -> int:
        """Published programmes that the search, municipality and deadline filters admit.

        Kept for the most recent filter values until the catalogue changes: someone who
        searched goes on to choose facets, sort and turn pages with the same search."""
        cleaned = self.filterset.form.cleaned_data
        used = [name for name in NON_FACET_FILTERS if cleaned.get(name)]
        # A filter that answers from per-version sets (`admitted`, e.g. open_to) needs no query.
        from_sets = [name for name in used if hasattr(self.filterset.filters[name], "admitted")]
        known = index.published
        for name in from_sets:
            known &= self.filterset.filters[name].admitted(cleaned[name], index)
        used = [name for name in used if name not in from_sets]
        if not used:
            return known
        key = tuple((name, self.data.get(name, "").strip()) for name in used)

        def admitted() -> int:
            text = self.filterset.form.cleaned_data.get("q", "").strip()
            found = search_matches(text)[1] if text else None
            if found is None:  # no search, or one planned earlier: all filters in one query
                return index.bitset(self._ids(used))
            others = [name for name in used if name != "q"]  # the plan found the search's
            return index.bitset(found) & (index.bitset(self._ids(others)) if others else ~0)

        return known & _recently_admitted().get(key, admitted)

    def _ids(self, names) -> list[int]:
        programmes = self.filterset.apply(Programme.objects.published(), names)
        return programmes.order_by().aggregate(ids=ArrayAgg("pk", default=Value([])))["ids"]


RECENT_FILTERS = 128


@per_version("programmes:recently-admitted")
def _recently_admitted(today) -> Recent:
    return Recent(RECENT_FILTERS)


def _union(members) -> int:
    result = 0
    for bits in members:
        result |= bits
    return result
