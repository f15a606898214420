"""„Meinten Sie …?“: the closest word of the catalogue's own vocabulary to a word that finds
nothing. rapidfuzz compares the word with every known word in C, a few milliseconds for tens of
thousands of words."""

import re
from collections import Counter

from rapidfuzz import fuzz, process

from core.cache import per_version
from programmes.search.text import fold

MIN_LENGTH = 4
MIN_SCORE = 80  # rapidfuzz ratio, 0–100: one or two letters off in a word of ten
_WORDS = re.compile(r"[^\W\d_]{4,}")


@per_version("programmes:vocabulary")
def vocabulary(today) -> dict[str, tuple[str, int]]:
    """Folded word → (the word as most often written, how often it occurs): from the titles
    and short names of published programmes, the names of topics, target groups and funders,
    and the synonyms. (Long texts are left out: at 100,000 programmes reading them would take
    seconds; their words are found by the search, just not proposed.)"""
    from programmes.models import FundingBody, Programme, SynonymGroup, TargetGroup, Topic

    counts: Counter[str] = Counter()
    published = Programme.objects.published().values_list("title", "short_name")
    for texts in (
        published,
        Topic.objects.values_list("name"),
        TargetGroup.objects.values_list("name"),
        FundingBody.objects.values_list("name", "short_name", "former_names"),
        SynonymGroup.objects.values_list("terms"),
    ):
        for row in texts.iterator(chunk_size=5_000):
            counts.update(_WORDS.findall(" ".join(row)))
    known: dict[str, tuple[str, int]] = {}
    for word, count in counts.most_common():
        folded = fold(word)
        spelled, total = known.get(folded, (word, 0))
        known[folded] = (spelled, total + count)
    return known


def correction(word: str) -> str | None:
    """The known word closest to `word`, if one is close enough (the more frequent wins a tie)."""
    if len(word) < MIN_LENGTH:
        return None
    known = vocabulary()
    folded = fold(word)
    if folded in known:
        return None
    matches = process.extract(
        folded, known.keys(), scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=5
    )
    if not matches:
        return None
    best, _score, _index = max(matches, key=lambda m: (m[1], known[m[0]][1]))
    return known[best][0]
