"""What a subscription watches, read and described through the programme list's own FilterSet:
the same parameters, the same 400 for a wrong value, the same programmes."""

from django.http import QueryDict
from django.utils.translation import gettext as _

from core.listing import BadParameters, ParameterError, form_errors
from programmes.filter_words import describe
from programmes.filters import ProgrammeFilterSet
from programmes.models import Programme

# The list's filters; its order and page change nothing about which programmes are new.
WATCHED = tuple(name for name in ProgrammeFilterSet.base_filters if name != "sort")


def list_query(data: QueryDict) -> str:
    """The list's filters as one canonical query string: only the FilterSet's parameters,
    sorted by name, each value once and sorted, without empty values."""
    kept = QueryDict(mutable=True)
    for name in sorted(set(WATCHED) & data.keys()):
        values = sorted({value.strip() for value in data.getlist(name)} - {""})
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def list_filterset(query: str) -> ProgrammeFilterSet:
    """The validated FilterSet of a stored or requested list; BadParameters names what is wrong."""
    filterset = ProgrammeFilterSet(QueryDict(query))
    if not filterset.is_valid():
        raise BadParameters(form_errors(filterset.form))
    return filterset


def watched_programme(slug: str) -> Programme:
    programme = Programme.objects.published().filter(slug=slug).first()
    if programme is None:
        raise BadParameters(
            [
                ParameterError(
                    "programme",
                    _("Programm"),
                    _("Kein veröffentlichtes Programm hat die Kurzadresse „%(slug)s“.")
                    % {"slug": slug[:150]},
                )
            ]
        )
    return programme


def headline(filterset: ProgrammeFilterSet | None, programme: Programme | None = None) -> str:
    """What the subscription sends, as its confirmation page and every mail name it."""
    if programme is not None:
        return _("Änderungen und Fristen: „%(title)s“") % {"title": programme.title}
    described = describe(filterset)
    if not described:
        return _("Neue und geänderte Programme – alle Programme")
    return _("Neue und geänderte Programme – %(filters)s") % {"filters": described}
