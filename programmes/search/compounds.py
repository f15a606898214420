"""German compounds, split so that a word finds the compounds it is part of and a compound
finds its parts: Dorfgemeinschaftshaus ↔ Gemeinschaftshaus, Städtebauförderung ↔ Förderung
des Städtebaus.

PostgreSQL's german configuration stems words but does not split them. CharSplit (Tuggener
2016, as in the `compound-split` package: n-gram probabilities learnt from a German corpus,
read from programmes.search.ngrams) scores every split into modifier and head; we accept the
best above a confidence threshold and split the modifier again, so a compound of three words
yields its parts and its tails.
"""

import re
from functools import lru_cache

from programmes.search import ngrams

MIN_MODIFIER = 10  # a modifier is split again only when it is itself long
MIN_PART = 3
CONFIDENCE = 0.3
_WORDS = re.compile(r"\w+")
_LINKING = ("s", "es")  # Fugen-s: Gemeinschafts|haus


@lru_cache(maxsize=50_000)
def split(word: str, min_length: int = 8) -> tuple[str, str] | None:
    """The most likely modifier and head of a compound, or None: Städtebauförderung →
    (Städtebau, Förderung). Shorter words than `min_length` are rarely compounds."""
    if len(word) < min_length or not word.isalpha():
        return None
    score, modifier, head = best_split(word)
    if score < CONFIDENCE or len(modifier) < MIN_PART or len(head) < MIN_PART:
        return None
    return _without_linking(modifier), head.lower() if word.islower() else head


def best_split(word: str) -> tuple[float, str, str]:
    """CharSplit's best split of a word (as `compound_split.char_split.split_compound` scores
    it): how likely the modifier ends a word, plus how likely the head starts one, minus how
    likely the head's beginnings occur inside words."""
    lower = word.lower()
    table = ngrams.table()
    best = (0.0, word.title(), word.title())
    for n in range(3, len(lower) - 2):
        head = lower[n:]
        inside = min(table.get(ngrams.INFIX, lower[n:k], 1) for k in range(len(lower), n + 2, -1))
        score = (
            table.get(ngrams.PREFIX, _fugen_s(head), -1)
            - inside
            + table.get(ngrams.SUFFIX, _fugen_s(lower[:n]), -1)
        )
        if n == 3 or score > best[0]:
            best = (score, lower[:n].title(), head.title())
    return best


def _fugen_s(text: str) -> str:
    if text.endswith(("ts", "gs", "ks", "hls", "ns")) and len(text) > 3:
        return text[:-1]
    return text


def parts(word: str) -> tuple[str, ...]:
    """The words a compound is made of, first to last (empty if it is none):
    Dorfgemeinschaftshaus → (Dorf, Gemeinschaft, Haus). A modifier is split again only when
    it is long (Dorfgemeinschaft, not Ehrenamt)."""
    found = split(word)
    if found is None:
        return ()
    modifier, head = found
    return (*(parts_of_modifier(modifier) or (modifier,)), head)


def parts_of_modifier(modifier: str) -> tuple[str, ...]:
    found = split(modifier, MIN_MODIFIER)
    return found or ()


def tails(word: str) -> list[str]:
    """The compound's shorter forms that end in its head: Dorfgemeinschaftshaus →
    [Gemeinschaftshaus]. (The head alone is among the parts.)"""
    found = parts(word)
    if len(found) < 3:
        return []
    return [word[len("".join(found[: i + 1])) :].lstrip("s") for i in range(len(found) - 2)]


def _without_linking(modifier: str) -> str:
    for ending in _LINKING:
        stem = modifier[: -len(ending)]
        if modifier.endswith(ending) and len(stem) >= MIN_PART and not stem.endswith("s"):
            return stem
    return modifier


def index_words(text: str) -> str:
    """The parts and tails of every compound in a text, once each, for the search index."""
    seen: dict[str, None] = {}
    for word in dict.fromkeys(_WORDS.findall(text)):  # each word once, in order
        for extra in _extras(word):
            seen.setdefault(extra, None)
    return " ".join(seen)


@lru_cache(maxsize=50_000)
def _extras(word: str) -> tuple[str, ...]:
    return tuple(extra.lower() for extra in (*parts(word), *tails(word)))
