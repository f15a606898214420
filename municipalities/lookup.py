"""Places as people name them: "Iserlohn", "iserlohn", "58636" or "05962024" all mean Iserlohn.

`find(text)` answers with the one Municipality meant, or raises `Ambiguous` (several places
fit: "Münster" is a city, a Regierungsbezirk and a Gemeinde in Hessen) or `Unknown` (none fits;
with close names, found by rapidfuzz). The register's names are read with one query once per
catalogue version (`core.cache.per_version`), so a lookup itself costs no query.

Names match without regard to case, umlauts or punctuation ("Muenster", "münster"), and
without the kind in front or the qualifier behind ("Kreis Soest" is also "Soest", "Münster
(Hessen)" also "Münster"). A slug or an official key names exactly one place and wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from rapidfuzz import fuzz, process

from core.cache import per_version
from core.db import choice_label
from core.german import slug
from municipalities.models import Municipality
from municipalities.nrw_data import NRW

# What a region's name carries in front of the place it is named after.
_KIND_WORDS = re.compile(
    r"^(?:früher: )?(?:Regierungsbezirk|Landkreis|Kreis|Städteregion|Regionalverband|"
    r"Statistische Region|Direktionsbezirk)\s+"
)
# "Münster (Hessen)", "Solingen, Klingenstadt": the qualifier behind the name.
_QUALIFIER = re.compile(r"\s*(?:\(.*\)|,.*)$")
_FIELDS = ("id", "key", "name", "official_name", "slug", "kind", "parent_id", "postcode")
SUGGESTIONS = 5
SCORE_CUTOFF = 80


def fold(text: str) -> str:
    """The form names are compared in: "Münster (Hessen)" → "muenster hessen"."""
    return slug(text).replace("-", " ")


def core_name(name: str) -> str:
    return _QUALIFIER.sub("", _KIND_WORDS.sub("", name))


@dataclass(frozen=True)
class Place:
    """One register row, as much as a lookup needs."""

    values: tuple  # in the order of _FIELDS
    is_active: bool
    parent_name: str

    def __getattr__(self, name):
        if name in _FIELDS:
            return self.values[_FIELDS.index(name)]
        raise AttributeError(name)

    @property
    def description(self) -> str:
        """ "Münster (Kreisfreie Stadt, Regierungsbezirk Münster)": name, kind and where."""
        where = [choice_label(Municipality.Kind, self.kind), self.parent_name]
        return f"{self.name} ({', '.join(part for part in where if part)})"  # as _qualified

    def municipality(self) -> Municipality:
        """A Municipality instance without a query; other fields load when first read."""
        return Municipality.from_db(DEFAULT_DB_ALIAS, list(_FIELDS), list(self.values))


@dataclass(frozen=True)
class Register:
    by_slug: dict[str, Place]
    by_key: dict[str, Place]
    by_postcode: dict[str, list[Place]]
    by_name: dict[str, list[Place]]  # folded name, core name or label → places
    labels: dict[str, str]  # slug → the shortest text that finds only that place
    folded: list[tuple[str, Place]]  # for close names


@per_version("municipalities:register-names")
def register(today=None) -> Register:
    rows = Municipality.objects.order_by("sort_name", "key").values_list(
        *_FIELDS, "is_active", "parent__name"
    )
    places = [Place(tuple(row[: len(_FIELDS)]), row[-2], row[-1] or "") for row in rows]
    by_name: dict[str, list[Place]] = defaultdict(list)
    folded = []
    for place in places:
        names = {fold(text) for text in (place.name, place.official_name) if text}
        names |= {fold(core_name(text)) for text in (place.name, place.official_name) if text}
        for name in names - {""}:
            by_name[name].append(place)
            folded.append((name, place))
        for name in {fold(text) for text in _qualified(place)} - names:
            by_name[name].append(place)
    labels = {place.slug: _label(place, by_name) for place in places}
    by_postcode: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        if place.postcode:
            by_postcode[place.postcode].append(place)
    return Register(
        by_slug={place.slug: place for place in places},
        by_key={place.key: place for place in places},
        by_postcode=dict(by_postcode),
        by_name=dict(by_name),
        labels=labels,
        folded=folded,
    )


def _qualified(place: Place) -> tuple[str, str]:
    """ "Münster (Kreisfreie Stadt)", "Münster (Kreisfreie Stadt, Regierungsbezirk Münster)":
    a name with its kind, and with where it lies, as suggestions and 400s spell them."""
    kind = choice_label(Municipality.Kind, place.kind)
    return f"{place.name} ({kind})", f"{place.name} ({kind}, {place.parent_name})"


def _label(place: Place, by_name) -> str:
    """The name if it finds only this place, else the name with its kind (and where)."""
    for text in (place.name, *_qualified(place)):
        if by_name.get(fold(text)) == [place]:
            return text
    return place.slug


class NotFound(Exception):
    """No place fits; `suggestions` are close ones, `reason` says what was looked for."""

    def __init__(self, reason: str, suggestions: list[Place]):
        super().__init__(reason)
        self.reason = reason
        self.suggestions = suggestions


class Ambiguous(Exception):
    def __init__(self, candidates: list[Place]):
        super().__init__(", ".join(place.description for place in candidates))
        self.candidates = candidates


class WrongKind(Exception):
    def __init__(self, place: Place):
        super().__init__(place.description)
        self.place = place


def find(text: str, kinds=None) -> Municipality:
    """The place `text` names: a slug, official key, postcode or name (see the module)."""
    text = text.strip()
    names = register()
    exact = names.by_slug.get(text) or names.by_key.get(text)
    if exact is not None:
        candidates = [exact]
    elif text.isdigit():
        candidates = list(names.by_postcode.get(text, []))
    else:
        candidates = list(names.by_name.get(fold(text), []))
    active = [place for place in candidates if place.is_active]
    candidates = active or candidates
    if kinds is not None and candidates:
        fitting = [place for place in candidates if place.kind in kinds]
        if not fitting:
            raise WrongKind(candidates[0])
        candidates = fitting
    if len(candidates) > 1:
        raise Ambiguous(candidates)
    if candidates:
        return candidates[0].municipality()
    if text.isdigit():
        raise NotFound("number", _by_postcode_prefix(names, text, kinds))
    raise NotFound("name", _close_names(names, text, kinds))


def _close_names(names: Register, text: str, kinds) -> list[Place]:
    """Places whose names look like `text` ("Iserlon" → Iserlohn), best first."""
    choices = [name for name, place in names.folded if kinds is None or place.kind in kinds]
    places = [place for name, place in names.folded if kinds is None or place.kind in kinds]
    found = process.extract(
        fold(text), choices, scorer=fuzz.WRatio, limit=4 * SUGGESTIONS, score_cutoff=SCORE_CUTOFF
    )
    return _distinct(places[index] for _name, _score, index in found)


def _by_postcode_prefix(names: Register, digits: str, kinds) -> list[Place]:
    """For an unknown postcode, the places whose postcode shares the first three digits and
    is nearest: the register holds one main postcode per municipality."""
    if len(digits) != 5:
        return []
    near = [
        place
        for code, places in names.by_postcode.items()
        if code[:3] == digits[:3]
        for place in places
        if kinds is None or place.kind in kinds
    ]
    near.sort(key=lambda place: abs(int(place.postcode) - int(digits)))
    return _distinct(near)


def _distinct(places) -> list[Place]:
    seen, result = set(), []
    for place in places:
        if place.slug not in seen and place.is_active:
            seen.add(place.slug)
            result.append(place)
    return result[:SUGGESTIONS]


def labels() -> list[str]:
    """What each active place in NRW is best typed as, in German order: for suggestions in
    forms. (Places elsewhere are found when typed; all of Germany's 11,000 names would make
    every list page 340 KB larger.)"""
    names = register()
    return [
        names.labels[place.slug]
        for place in names.by_slug.values()
        if place.is_active and place.key.startswith(NRW)
    ]
