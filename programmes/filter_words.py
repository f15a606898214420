"""A programme list's filters in words, with names instead of slugs: „Thema: Digitalisierung;
Ebene: Land“. The feed's title and the e-mail alerts name a list this way."""

from datetime import date

from django.db.models import Model, QuerySet
from django.utils.formats import date_format

from programmes.filters import ProgrammeFilterSet

# The filters that choose programmes; the order changes nothing about which.
CHOOSING = tuple(name for name in ProgrammeFilterSet.base_filters if name != "sort")


def describe(filterset: ProgrammeFilterSet) -> str:
    """The validated filters in words, "" for the whole list."""
    parts = []
    for name in CHOOSING:
        shown = _in_words(filterset, name, filterset.form.cleaned_data.get(name))
        if shown:
            parts.append(f"{filterset.filters[name].label}: {shown}")
    return "; ".join(parts)


def _in_words(filterset: ProgrammeFilterSet, name: str, value) -> str:
    if isinstance(value, QuerySet):  # topics, target groups, funders, principles
        return ", ".join(map(str, value))
    if not value:
        return ""
    if name == "q":
        return f"„{value.strip()}“" if value.strip() else ""
    if isinstance(value, date):
        return date_format(value, "j. F Y")
    if isinstance(value, Model):  # a place
        return str(getattr(value, "name", value))
    choices = dict(filterset.form.fields[name].choices)
    return ", ".join(str(choices.get(item, item)) for item in value)
