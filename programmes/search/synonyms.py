"""The synonym groups editors keep (admin: „Synonymgruppen“), as a lookup from the stems of a
word or phrase to the other terms of its groups. Read once per catalogue version, with the
search plans (programmes.search.plan)."""

from programmes.search.text import stem

Table = dict[str, tuple[str, ...]]


def key(words) -> str:
    return " ".join(stem(word) for word in words)


def load() -> Table:
    """Stems of a term → every term of the groups it belongs to (itself included)."""
    from programmes.models import SynonymGroup

    found: dict[str, list[str]] = {}
    for group in SynonymGroup.objects.all():
        terms = group.term_list()
        for term in terms:
            alternatives = found.setdefault(key(term.split()), [])
            alternatives += [t for t in terms if t not in alternatives]
    return {k: tuple(v) for k, v in found.items()}


def alternatives(table: Table, words: list[str]) -> tuple[str, ...]:
    """The synonyms of a word or phrase (given as its words), or () if it has none."""
    return table.get(key(words), ())
