"""German words the same way everywhere: alphabetical order and web addresses.

The embedded PostgreSQL has only the C collation, which sorts "Ärger" after "Zebra". Lists sort
by a key that lower-cases and folds umlauts (ä → a, ß → ss), stored in a column built by
`sort_key_expression` and computed in Python by `sort_key` for rows sorted in memory. Web
addresses transliterate instead (ä → ae), as German readers expect: "Münster" → "muenster".
"""

from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.utils.text import slugify

SORT_FOLDS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"))
TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)
_SORT_TABLE = str.maketrans(dict(SORT_FOLDS))


def sort_key(text: str) -> str:
    """ "Märkischer Kreis" → "markischer kreis": sorts before "Mettmann"."""
    return text.lower().translate(_SORT_TABLE)


def sort_key_expression(field: str):
    """The same key as a database expression of immutable functions, for a stored column."""
    expression = Lower(field)
    for umlaut, plain in SORT_FOLDS:
        expression = Replace(expression, Value(umlaut), Value(plain))
    return expression


def slug(text: str) -> str:
    """ "Münster" → "muenster": German transliteration first, then Django's slugify."""
    return slugify(text.translate(TRANSLITERATION))
