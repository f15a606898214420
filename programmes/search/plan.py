"""From what someone typed to the query the catalogue is searched with, decided once per text
and catalogue version (every part of a list page asks the same plan):

1. Every word is widened: its synonyms, the parts of a compound (Städtebauförderung →
   Städtebau und Förderung), and the last word as a prefix while it is being typed. Generic
   words („Förderung“, „Programm“) are left out when there are others.
2. All words must match. If that finds nothing, words that find nothing on their own are
   replaced by the closest known word („Ehrenamtkarte“ → „Ehrenamtskarte“) and the search is
   repeated at once.
3. If all words together still find nothing, programmes matching some of them are shown,
   those that match more ranked first, and the page says so.
"""

import functools
import operator
import re
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchQuery
from django.db import connection

from core.cache import Recent, per_version
from programmes.search import compounds, suggest, synonyms
from programmes.search.text import ParsedQuery, Term, fold, parse

CONFIG = "german"
MAX_CHECKED_WORDS = 6  # words looked up one by one when a search finds nothing
_PREFIXABLE = re.compile(r"\w{2,}")
_GENITIVE = re.compile(r"\w{4,}(?<!ha)[aeiouäöü]s")  # Städtebaus, not Bürgerhaus


@dataclass(frozen=True)
class SearchPlan:
    typed: str
    query: SearchQuery | None  # None: nothing to search for (only spaces or signs)
    searched: str = ""  # the corrected text, when the typed one found nothing
    partial: bool = False  # not all words matched: programmes matching some of them
    suggestion: str = ""  # a correction that found nothing either („Meinten Sie …?“)

    @property
    def corrected(self) -> bool:
        return bool(self.searched)


def plan_search(text: str) -> SearchPlan:
    return search_matches(text)[0]


def search_matches(text: str) -> tuple[SearchPlan, list[int] | None]:
    """The plan for a text, and — when it was made just now — the ids of the published
    programmes it finds: making the plan had to ask for them, so the list need not ask again."""
    text = text.strip()
    memo = _memo()
    fresh = {}

    def make() -> SearchPlan:
        plan, fresh["ids"] = Planner(memo.synonyms).plan(text)
        return plan

    return memo.plans.get(text, make), fresh.get("ids")


class _Memo:
    """Per catalogue version: the latest plans, and the synonym groups they were made with."""

    def __init__(self):
        self.plans = Recent(512)

    @functools.cached_property
    def synonyms(self) -> synonyms.Table:
        return synonyms.load()


@per_version("programmes:search")
def _memo(today) -> _Memo:
    return _Memo()


class Planner:
    """Turns typed text into a query, with the synonym groups of one catalogue version."""

    def __init__(self, synonym_table: synonyms.Table):
        self.synonyms = synonym_table

    def plan(self, text: str) -> tuple[SearchPlan, list[int]]:
        """The plan, and the ids of the published programmes it finds."""
        parsed = parse(text).required()
        query = self.to_query(parsed)
        if query is None:
            return SearchPlan(text, None), []
        if found := _matches(query):
            return SearchPlan(text, query), found
        fixed, corrected_text = self.corrected(parsed, text)
        if fixed is not None:
            fixed_query = self.to_query(fixed)
            if found := _matches(fixed_query):
                return SearchPlan(text, fixed_query, searched=corrected_text), found
        if len(parsed.groups) > 1:
            some = self.any_of(fixed or parsed)
            if some is not None and (found := _matches(some)):
                return SearchPlan(text, some, searched=corrected_text, partial=True), found
        return SearchPlan(text, query, suggestion=corrected_text), []

    def corrected(self, parsed: ParsedQuery, text: str) -> tuple[ParsedQuery | None, str]:
        """The query with its unknown words replaced by known ones, and the text as corrected."""
        checked = [t for t in parsed.words if not t.excluded and not t.phrase]
        fixes = {}
        for term in checked[:MAX_CHECKED_WORDS]:
            if not _finds_any(self.term_query(term)):
                better = suggest.correction(term.text)
                if better:
                    fixes[term] = better
        if not fixes:
            return None, ""
        groups = tuple(
            tuple(replace(t, text=fixes[t], last=False) if t in fixes else t for t in group)
            for group in parsed.groups
        )
        for term, better in fixes.items():
            text = re.sub(rf"(?<!\w){re.escape(term.text)}(?!\w)", better, text, count=1)
        return ParsedQuery(groups), text

    def to_query(self, parsed: ParsedQuery) -> SearchQuery | None:
        """All groups must match; within a group any of its terms."""
        return _combine([self.group_query(group) for group in parsed.groups], all_of=True)

    def any_of(self, parsed: ParsedQuery) -> SearchQuery | None:
        """Any of the groups (exclusions still apply)."""
        excluded = [g for g in parsed.groups if all(t.excluded for t in g)]
        wanted = [g for g in parsed.groups if g not in excluded]
        query = _combine([self.group_query(group) for group in wanted], all_of=False)
        for group in excluded:
            query = query & self.group_query(group) if query is not None else None
        return query

    def group_query(self, group: tuple[Term, ...]) -> SearchQuery | None:
        return _combine([self.term_query(term) for term in group], all_of=False)

    def term_query(self, term: Term) -> SearchQuery:
        if term.phrase:
            query = SearchQuery(term.text, config=CONFIG, search_type="phrase")
            return ~query if term.excluded else query
        if term.excluded:
            return ~_plain(term.text)
        alternatives = [_plain(term.text)]
        if _GENITIVE.fullmatch(term.text):  # des Städtebaus: the stemmer keeps an s after a vowel
            alternatives.append(_plain(term.text[:-1]))
        if term.last and _PREFIXABLE.fullmatch(term.text):
            alternatives.append(SearchQuery(f"{term.text}:*", config=CONFIG, search_type="raw"))
        split = compounds.split(term.text)
        if split:  # Städtebauförderung: Städtebau and Förderung, also apart
            alternatives.append(_plain(" ".join(split)))
        tails = compounds.tails(term.text)  # a Dorfgemeinschaftshaus is a Gemeinschaftshaus
        alternatives += [_plain(tail) for tail in tails]
        for word in (term.text, *tails):
            for synonym in synonyms.alternatives(self.synonyms, [word]):
                if fold(synonym) != fold(word):
                    alternatives.append(_plain(synonym))
        return _combine(alternatives, all_of=False)


def _plain(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="plain")


def _matches(query: SearchQuery) -> list[int]:
    """The ids of the published programmes a query finds, through the GIN index.

    For a common word PostgreSQL estimates that reading the whole table is cheaper, not knowing
    that it would then decompress every stored vector to test it; the index needs none of them
    (at 100,000 programmes: ~1.2 s against ~0.5 s for a word in most of them). So the index is
    made the only way for this statement, in the same round trip; the setting as it was is
    restored after it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('kommunalkompass.seqscan', current_setting('enable_seqscan'), true);"
            " SET LOCAL enable_seqscan = off;"
            f" {matches_statement(query)};"
            " SELECT set_config('enable_seqscan', current_setting('kommunalkompass.seqscan'), true)"
        )
        cursor.nextset()
        cursor.nextset()
        return cursor.fetchone()[0]


def matches_statement(query: SearchQuery) -> str:
    """The statement of `_matches`: the search alone in a subquery the planner keeps apart
    (OFFSET 0), so that the GIN index is the only index that can serve it (not the one on
    publication); whether a match is published is read from its row."""
    from programmes.models import Programme

    found = Programme.objects.filter(search_vector=query).order_by().values("pk", "publication")
    sql, params = found.query.sql_with_params()
    return connection.ops.compose_sql(
        "SELECT coalesce(array_agg(pk) FILTER (WHERE publication = %s), '{}')"
        f" FROM ({sql} OFFSET 0) found",
        [Programme.Publication.PUBLISHED, *params],
    )


def _finds_any(query: SearchQuery) -> bool:
    from programmes.models import Programme

    return Programme.objects.published().filter(search_vector=query).exists()


def _combine(queries, *, all_of: bool) -> SearchQuery | None:
    present = [query for query in queries if query is not None]
    if not present:
        return None
    return functools.reduce(operator.and_ if all_of else operator.or_, present)
