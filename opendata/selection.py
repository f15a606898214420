"""The programme list a download, feed or calendar is made of: the portal's list for the same
query string, through the one ProgrammeFilterSet (filters, "closed hidden" default, sort)."""

from core.listing import BadParameters, form_errors
from programmes.filters import ProgrammeFilterSet


def programme_selection(query) -> ProgrammeFilterSet:
    """The validated FilterSet for a query string; raises BadParameters naming what is wrong."""
    filterset = ProgrammeFilterSet(query)
    if not filterset.is_valid():
        raise BadParameters(form_errors(filterset.form))
    return filterset


def selected_programmes(query):
    """The programmes of the list for this query string, in its order."""
    filterset = programme_selection(query)
    return filterset.ordered(filterset.qs)
