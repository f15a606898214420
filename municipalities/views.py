from django.db.models import OuterRef
from django.shortcuts import get_object_or_404, render

from municipalities.filters import REGION_KINDS, MunicipalityFilterSet
from municipalities.models import Municipality
from portal.db import SubqueryCount
from portal.listing import BadParameters, form_errors, paginate, query_without
from programmes.models import Participation, Programme


def programme_count_within(key_ref):
    """Published programmes in which a municipality, or one inside it, takes part."""
    return SubqueryCount(
        Participation.objects.filter(
            municipality__key__startswith=key_ref, programme__publication="published"
        )
        .values("programme_id")
        .distinct()
    )


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
            .annotate(programme_count=programme_count_within(OuterRef("key")))
            .order_by("sort_name", "key")
        )
        context["page"] = paginate(rows, request.GET.get("page"))
    except BadParameters as bad:
        context["errors"] = bad.errors
        return render(request, "municipalities/municipality_list.html", context, status=400)
    context["page_query"] = query_without(request.GET, "page")
    return render(request, "municipalities/municipality_list.html", context)


def municipality_detail(request, slug):
    municipality = get_object_or_404(Municipality.objects.select_related("parent"), slug=slug)
    ancestors = list(municipality.ancestors())
    participations = (
        Participation.objects.filter(municipality=municipality, programme__publication="published")
        .select_related("programme")
        .order_by("programme__sort_title", "round", "role")
    )
    region_keys = [a.key for a in ancestors] + [municipality.key]
    open_to_it = (
        Programme.objects.published()
        .with_status()
        .filter(region__key__in=region_keys)
        .for_listing()
        .order_by("sort_title")
    )
    children = (
        municipality.children.active()
        .annotate(programme_count=programme_count_within(OuterRef("key")))
        .order_by("sort_name")
        if municipality.level < 3
        else Municipality.objects.none()
    )
    context = {
        "municipality": municipality,
        "ancestors": ancestors,
        "participations": participations,
        "open_to_it": open_to_it,
        "children": children,
    }
    return render(request, "municipalities/municipality_detail.html", context)
