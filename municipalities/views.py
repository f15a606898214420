from django.http import Http404
from django.shortcuts import render

from core.chips import filter_chips, in_words
from core.listing import BadParameters, form_errors, paginate, query_without
from core.page_cache import query_parameters
from municipalities import extensions, maps
from municipalities.attribution import register_attribution
from municipalities.filters import REGION_KINDS, MunicipalityFilterSet
from municipalities.models import Municipality
from municipalities.nrw_data import NRW, register_edition


@query_parameters(*MunicipalityFilterSet.base_filters, "page", tidy=True)
def municipality_list(request):
    filterset = MunicipalityFilterSet(request.GET)
    context = {
        "filterset": filterset,
        "regions": Municipality.objects.filter(kind__in=REGION_KINDS).only("name", "slug", "kind"),
        "extensions": extensions.registered(),
    }
    try:
        if not filterset.is_valid():
            raise BadParameters(form_errors(filterset.form))
        rows = (
            filterset.qs.select_related("parent")
            .defer("outline", "parent__outline")
            .order_by("sort_name", "key")
        )
        context["page"] = paginate(rows, request.GET.get("page"))
    except BadParameters as bad:
        context["errors"] = bad.errors
        return render(request, "municipalities/municipality_list.html", context, status=400)
    extensions.with_counts(context["page"].object_list)
    context["page_query"] = query_without(request.GET, "page")
    names = ["q", "kind", "region"]
    context["chips"] = filter_chips(request, filterset, names, _in_words(filterset))
    return render(request, "municipalities/municipality_list.html", context)


def _in_words(filterset):
    kinds = dict(Municipality.Kind.choices)

    def shown(name: str, value: str) -> str:
        if name == "kind":
            return str(kinds.get(value, value))
        return in_words(filterset.form.cleaned_data[name])

    return shown


# `page`: the page of a list an extension adds (programmes open to the place).
@query_parameters("page")
def municipality_detail(request, slug):
    family = Municipality.objects.family(slug)
    if family is None:
        raise Http404
    municipality, ancestors, children = family
    context = {
        "municipality": municipality,
        "ancestors": ancestors,
        "location_map": maps.municipality_map(municipality),
        "register_source": register_attribution(
            register_edition()[0] if municipality.key.startswith(NRW) else None
        ),
        "extensions": extensions.registered(),
        "children": extensions.with_counts(children) if municipality.level < 3 else [],
    }
    for extension in context["extensions"]:
        context.update(extension.detail_context(request, municipality, ancestors))
    status = 400 if context.get("errors") else 200
    return render(request, "municipalities/municipality_detail.html", context, status=status)
