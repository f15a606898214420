"""The synonym groups editors keep (admin: „Synonymgruppen“), as a lookup from the stems of a
word or phrase to the other terms of its groups. Read once per catalogue version."""

from core.cache import per_version
from programmes.search.text import stem

MAX_WORDS = 3  # the longest phrase looked up as one term


def key(words) -> str:
    return " ".join(stem(word) for word in words)


@per_version("programmes:synonyms")
def synonyms(today) -> dict[str, tuple[str, ...]]:
    """Stems of a term → every term of the groups it belongs to (itself included)."""
    from programmes.models import SynonymGroup

    found: dict[str, list[str]] = {}
    for group in SynonymGroup.objects.all():
        terms = group.term_list()
        for term in terms:
            alternatives = found.setdefault(key(term.split()), [])
            alternatives += [t for t in terms if t not in alternatives]
    return {k: tuple(v) for k, v in found.items()}


def alternatives(words: list[str]) -> tuple[str, ...]:
    """The synonyms of a word or phrase (given as its words), or () if it has none."""
    return synonyms().get(key(words), ())
