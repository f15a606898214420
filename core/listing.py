"""What every public list shares: the 400 answer for bad parameters and pagination."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import gettext as _

PER_PAGE = 20


@dataclass(frozen=True)
class Choice:
    """A value the parameter could take instead (a place meant by an ambiguous name)."""

    label: str
    value: str
    query: str = ""  # the request's query string with the parameter set to `value`


@dataclass(frozen=True)
class ParameterError:
    parameter: str
    label: str
    message: str
    choices: tuple[Choice, ...] = ()

    def __str__(self):
        return f"„{self.parameter}“ ({self.label}): {self.message}"


class BadParameters(Exception):
    def __init__(self, errors: list[ParameterError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def form_errors(form) -> list[ParameterError]:
    """Name each rejected parameter and say what was wrong with it. A ValidationError whose
    params hold ``choices`` ([(label, value)]) offers them, each with its query string."""
    errors = []
    for name, found in form.errors.as_data().items():
        label = form.fields[name].label if name in form.fields else name
        for error in found:
            offered = (error.params or {}).get("choices", ())
            choices = tuple(
                Choice(str(text), value, _query_with(form.data, name, value))
                for text, value in offered
            )
            errors.append(ParameterError(name, str(label), next(iter(error)), choices))
    return errors


def _query_with(data, name: str, value: str) -> str:
    query = data.copy() if isinstance(data, QueryDict) else QueryDict(mutable=True)
    query.pop("page", None)
    query[name] = value
    return query.urlencode()


def paginate(queryset, page_value: str | None, count: int | None = None) -> Page:
    """The requested page of 20; a page that is not a number or lies beyond the last is a
    bad parameter. A count already known (from the facet query) saves a COUNT(*)."""
    paginator = Paginator(queryset, PER_PAGE)
    if count is not None:
        paginator.count = count  # replaces the cached_property's COUNT(*) query
    try:
        number = int(page_value) if page_value not in (None, "") else 1
    except ValueError:
        number = None
    if number is None or number < 1 or number > paginator.num_pages:
        raise BadParameters(
            [
                ParameterError(
                    "page",
                    _("Seite"),
                    _("Bitte eine Seitenzahl von 1 bis %(last)d angeben.")
                    % {"last": paginator.num_pages},
                )
            ]
        )
    return paginator.page(number)


class PageByIds:
    """A list's rows for the paginator, fetched in two steps.

    First the ids of the one page, in list order: the query sorts and skips with nothing but
    the columns it sorts by, so a deep page skips thousands of rows cheaply (PostgreSQL computes
    every selected column of the rows an OFFSET skips). Then those twenty rows with everything
    the list shows (`rows`, e.g. annotated with status and next deadline).
    """

    ordered = True  # for the Paginator's check

    def __init__(self, in_order, rows, finish=None):
        self.in_order, self.rows, self.finish = in_order, rows, finish

    def count(self):
        return self.in_order.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        ids = list(self.in_order[index].values_list("pk", flat=True))
        found = {row.pk: row for row in self.rows.filter(pk__in=ids)}
        page = [found[pk] for pk in ids if pk in found]
        return self.finish(page) if self.finish else page


def query_without(query_dict, *names, **replace) -> str:
    """The current query string without some parameters (and with others replaced)."""
    data = query_dict.copy()
    for name in names:
        data.pop(name, None)
    for name, value in replace.items():
        data[name] = value
    return data.urlencode()
