"""How the search reads what people type: words, "phrases", -exclusions and "oder".

The same rules as PostgreSQL's websearch syntax, parsed here so that every word can be widened
by its synonyms and compound parts before it reaches the database.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[\w]+(?:-[\w]+)*")
_OR = {"or", "oder"}

# Words that nearly every entry of a catalogue of support programmes could carry: they never
# make a search fail (a search of only such words still uses them).
GENERIC = {
    "förderung", "fördern", "förderprogramm", "förderangebot", "fördermöglichkeit", "programm",
    "projekt", "angebot", "unterstützung", "unterstützen", "hilfe", "möglichkeit", "nrw",
}  # fmt: skip


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False
    excluded: bool = False
    last: bool = False  # the last word, typed without a space after it: may be a prefix

    @property
    def generic(self) -> bool:
        return not self.phrase and stem(self.text) in _GENERIC_STEMS


@dataclass(frozen=True)
class ParsedQuery:
    """AND over the groups; the terms of a group are alternatives ("a oder b")."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def words(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    def required(self) -> "ParsedQuery":
        """Without the groups made of generic words alone, unless nothing else is left."""

        def generic(group) -> bool:
            return all(term.generic and not term.excluded for term in group)

        specific = tuple(group for group in self.groups if not generic(group))
        if not any(not t.excluded for group in specific for t in group):
            return self
        return ParsedQuery(specific)


def parse(text: str) -> ParsedQuery:
    terms: list[Term | str] = []
    for match in _TOKENS.finditer(text):
        minus, phrase, token = match.groups()
        if phrase is not None:
            if phrase.strip():
                terms.append(Term(phrase.strip(), phrase=True, excluded=bool(minus)))
            continue
        if token.lower() in _OR:
            terms.append("or")
            continue
        excluded = token.startswith("-")
        words = _WORD.findall(token)
        for word in words:
            terms.append(Term(word, excluded=excluded))
    typing = not text.endswith((" ", '"'))  # the last word may still be incomplete
    if typing and terms and isinstance(terms[-1], Term) and not terms[-1].phrase:
        terms[-1] = Term(terms[-1].text, excluded=terms[-1].excluded, last=True)
    return ParsedQuery(_grouped(terms))


def _grouped(terms: list) -> tuple[tuple[Term, ...], ...]:
    groups: list[list[Term]] = []
    join_next = False
    for term in terms:
        if term == "or":
            join_next = bool(groups)
            continue
        if join_next and not term.excluded:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    return tuple(tuple(group) for group in groups)


def fold(text: str) -> str:
    """Lower case without umlauts and ß, as PostgreSQL's german configuration folds them."""
    return text.lower().translate(_FOLD)


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_STEMMER = snowballstemmer.stemmer("german")


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """A word's stem for matching synonyms and generic words (Bürgerhäuser → burgerhaus)."""
    return fold(_STEMMER.stemWord(word.lower()))


_GENERIC_STEMS = {stem(word) for word in GENERIC}
