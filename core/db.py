"""Database expressions shared by the apps."""

from django.db.models import Choices, IntegerField, Subquery, Value
from django.db.models.functions import Lower, Replace

_GERMAN_FOLDS = (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"))


def german_sort_key(field: str):
    """A lower-cased, umlaut-folded copy of a text column for German alphabetical order.

    The embedded PostgreSQL has only the C collation, which sorts "Ärger" after "Zebra"; a
    stored key built from immutable functions sorts the same on every server.
    """
    expression = Lower(field)
    for umlaut, plain in _GERMAN_FOLDS:
        expression = Replace(expression, Value(umlaut), Value(plain))
    return expression


class SubqueryCount(Subquery):
    """The number of rows a (correlated) subquery returns, as one scalar column."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def choice_label(choices: type[Choices], value: str) -> str:
    """The label of a stored choice (the value itself when it is none of them).

    A stand-in for Django's get_FOO_display, which makes every (lazy) label of the field
    hashable on each call: for the 233 Gemeinden of a Kreis that was ~25 ms of a page.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return value
