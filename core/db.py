"""Helpers for model fields shared by the apps."""

from django.db.models import Choices


def choice_label(choices: type[Choices], value: str) -> str:
    """The label of a stored choice (the value itself when it is none of them).

    A stand-in for Django's get_FOO_display, which makes every (lazy) label of the field
    hashable on each call: for the 233 Gemeinden of a Kreis that was ~25 ms of a page.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return value
