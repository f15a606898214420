from django.http import Http404
from django.shortcuts import render

from core.listing import BadParameters, PageByIds, form_errors, paginate, query_without
from municipalities.counts import open_programme_counts, programme_counts
from municipalities.filters import REGION_KINDS, MunicipalityFilterSet
from municipalities.models import Municipality
from programmes.models import Participation, Programme

# A municipality page lists this many participations; the programme list has all of them.
PARTICIPATIONS_SHOWN = 50


def municipality_list(request):
    filterset = MunicipalityFilterSet(request.GET)
    context = {
        "filterset": filterset,
        "regions": Municipality.objects.filter(kind__in=REGION_KINDS).only("name", "slug", "kind"),
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
    _with_counts(context["page"].object_list)
    context["page_query"] = query_without(request.GET, "page")
    return render(request, "municipalities/municipality_list.html", context)


def municipality_detail(request, slug):
    family = Municipality.objects.family(slug)
    if family is None:
        raise Http404
    municipality, ancestors, children = family
    participations = list(
        Participation.objects.filter(municipality=municipality, programme__publication="published")
        .select_related("programme")
        .order_by("programme__sort_title", "round", "role")[: PARTICIPATIONS_SHOWN + 1]
    )
    regions = [a.pk for a in ancestors] + [municipality.pk]
    open_to_it = Programme.objects.published().filter(region__in=regions)
    open_count = sum(open_programme_counts().get(region, 0) for region in regions)
    rows = Programme.objects.with_status().for_listing()
    context = {
        "municipality": municipality,
        "ancestors": ancestors,
        "participations": participations[:PARTICIPATIONS_SHOWN],
        "more_participations": len(participations) > PARTICIPATIONS_SHOWN,
        "children": _with_counts(children) if municipality.level < 3 else [],
        "page_query": query_without(request.GET, "page"),
    }
    try:
        context["page"] = paginate(
            PageByIds(open_to_it.order_by("sort_title", "pk"), rows),
            request.GET.get("page"),
            count=open_count,
        )
    except BadParameters as bad:
        context["errors"] = bad.errors
        return render(request, "municipalities/municipality_detail.html", context, status=400)
    return render(request, "municipalities/municipality_detail.html", context)


def _with_counts(municipalities: list[Municipality]) -> list[Municipality]:
    counts = programme_counts()
    for municipality in municipalities:
        municipality.programme_count = counts.get(municipality.key, 0)
    return municipalities
