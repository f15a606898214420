from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline
from django.db.models import Count, OuterRef, Prefetch, Q
from django.db.models.functions import JSONObject
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.chips import address, filter_chips, in_words
from core.listing import BadParameters, PageByIds, form_errors, paginate, query_without
from core.page_cache import not_kept, query_parameters
from programmes.facets import FacetCounter
from programmes.filters import ProgrammeFilterSet, Sort
from programmes.models import (
    Framework,
    GuidingPrinciple,
    Participation,
    Programme,
    Topic,
)
from programmes.querysets import Status
from programmes.search import plan_search
from programmes.structured_data import programme_json_ld

FACET_ORDER = ["status", "topic", "target_group", "kind", "level", "funder", "principle"]
# Chips: the search, the facets, then every other filter in the FilterSet's order (no sort).
CHIP_ORDER = [
    "q",
    *FACET_ORDER,
    *(name for name in ProgrammeFilterSet.base_filters if name not in {"q", "sort", *FACET_ORDER}),
]
# ts_headline marks hits with these; the text is escaped first, then they become <mark>.
_HIT_START, _HIT_END = "\u27e6", "\u27e7"


@query_parameters(*ProgrammeFilterSet.base_filters, "page", tidy=True)
def programme_list(request):
    filterset = ProgrammeFilterSet(request.GET)
    context = {"filterset": filterset, "sort_choices": Sort.CHOICES}
    try:
        if not filterset.is_valid():
            raise BadParameters(form_errors(filterset.form))
        counts = FacetCounter(filterset).compute()
        total, facets = counts.total, counts.facets
        page = paginate(_list_rows(filterset, counts), request.GET.get("page"), count=total)
    except BadParameters as bad:
        context["errors"] = bad.errors
        return render(request, "programmes/programme_list.html", context, status=400)

    chips = _active_filter_chips(request, filterset, facets)
    filter_chips = [chip for chip in chips if chip.name != "q"]  # the search has its own field
    context.update(
        total=total,
        page=page,
        facets=[facets[name] for name in FACET_ORDER],
        chips=chips,
        filter_chips=filter_chips,
        filter_count=len(filter_chips),
        search_chip=next((chip for chip in chips if chip.name == "q"), None),
        closed_hidden=not request.GET.getlist("status"),
        closed_count=next(o.count for o in facets["status"].options if o.value == Status.CLOSED),
        with_closed=address(request, _with_every_status(request.GET)),
        everything=address(request, _with_every_status(QueryDict())),
        page_query=query_without(request.GET, "page"),
        sort=filterset.sort_key,
        **_search_notice(request, filterset),
    )
    return render(request, "programmes/programme_list.html", context)


def _search_notice(request, filterset) -> dict:
    """What the search did with the typed words (programmes/search_notice.html): the plan, and
    for a suggestion the list's address with the suggested words instead."""
    text = filterset.form.cleaned_data.get("q", "").strip()
    if not text:
        return {}
    search = plan_search(text)
    notice = {"search": search}
    if search.suggestion:
        query = request.GET.copy()
        query["q"] = search.suggestion
        query.pop("page", None)
        notice["suggestion_url"] = address(request, query)
    return notice


def _list_rows(filterset, counts):
    text = filterset.form.cleaned_data.get("q", "").strip()
    in_order = counts.in_order(filterset)
    rows = (
        Programme.objects.with_status()
        .with_next_deadline()
        .for_listing()
        .prefetch_related("topics")
    )
    query = plan_search(text).query if text else None
    if query is not None:
        rows = rows.annotate(
            snippet=SearchHeadline(
                "summary",
                query,
                config="german",
                start_sel=_HIT_START,
                stop_sel=_HIT_END,
                highlight_all=True,
            )
        )
    return PageByIds(in_order, rows, finish=_mark_hits)


def _mark_hits(rows):
    """Each search snippet is escaped before its hits are marked."""
    for row in rows:
        if getattr(row, "snippet", None):
            marked = escape(row.snippet).replace(_HIT_START, "<mark>")
            row.snippet = mark_safe(marked.replace(_HIT_END, "</mark>"))
    return rows


def _active_filter_chips(request, filterset, facets):
    """One chip per active filter value: a facet option by its label, anything else (a place,
    a date, the search) by its cleaned value in words."""
    labels = {
        name: {option.value: option.label for option in facet.options}
        for name, facet in facets.items()
    }
    cleaned = filterset.form.cleaned_data

    def shown(name: str, value: str) -> str:
        return labels[name].get(value, value) if name in labels else in_words(cleaned[name])

    return filter_chips(request, filterset, CHIP_ORDER, shown)


def _with_every_status(query: QueryDict) -> QueryDict:
    """The same list with ended programmes too (every status chosen), from its first page."""
    shown = query.copy()
    shown.pop("page", None)
    shown.setlist("status", [value for value, _label in Status.choices])
    return shown


@query_parameters()
def programme_detail(request, slug):
    programme = _with_details(Programme.objects.published()).filter(slug=slug).first()
    if programme is None:
        return _moved(slug)
    return render(request, "programmes/programme_detail.html", _detail_context(request, programme))


@not_kept
def programme_preview(request, pk, unsaved=False):
    """The page of any programme, draft or not, exactly as the public would see it, for signed-in
    editors only; everyone else gets the 404 of an address that does not exist."""
    if not may_preview(request.user):
        raise Http404
    programme = _with_details(Programme.objects.all()).filter(pk=pk).first()
    if programme is None:
        raise Http404
    context = {**_detail_context(request, programme), "preview": True, "unsaved": unsaved}
    response = render(request, "programmes/programme_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def may_preview(user) -> bool:
    """Staff who may view programmes and, where the admin asks for it, passed the second factor."""
    if not (user.is_active and user.is_staff and user.has_perm("programmes.view_programme")):
        return False
    return not settings.ADMIN_REQUIRE_2FA or user.is_verified()


def _with_details(programmes):
    return (
        programmes.with_status()
        .with_next_deadline()
        .with_vocabulary()
        .annotate(
            child_list=_published_links("parent"), successor_list=_published_links("predecessor")
        )
        .select_related("funding_body", "region", "parent", "predecessor")
        .prefetch_related(
            "application_windows",
            "links",
            "sources",
            Prefetch("principles", queryset=GuidingPrinciple.objects.select_related("framework")),
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("municipality").order_by(
                    "round", "role", "municipality__sort_name"
                ),
            ),
        )
    )


def _detail_context(request, programme) -> dict:
    return {
        "programme": programme,
        # A draft or withdrawn parent or predecessor stays unnamed on a public page.
        "parent": _if_public(programme.parent),
        "predecessor": _if_public(programme.predecessor),
        "facts_stale": programme.facts_stale(timezone.localdate()),
        # Unsaved instances: enough for title, summary and get_absolute_url().
        "children": [Programme(**entry) for entry in programme.child_list],
        "successors": [Programme(**entry) for entry in programme.successor_list],
        "participation_groups": _group_participations(programme.participations.all()),
        "json_ld": programme_json_ld(request, programme),
    }


def _if_public(programme: Programme | None) -> Programme | None:
    return programme if programme is not None and programme.is_public else None


def _moved(slug: str):
    """An address a programme had before its slug changed answers 301 to the current one."""
    current = Programme.objects.published().filter(former_slugs__contains=[slug]).first()
    if current is None:
        raise Http404
    return redirect(current, permanent=True)


def _published_links(field: str):
    """Published programmes pointing at this one through `field`, as a list in the row itself
    (title, slug, summary) instead of one more query."""
    linked = Programme.objects.published().filter(**{field: OuterRef("pk")}).order_by("sort_title")
    return ArraySubquery(
        linked.values(entry=JSONObject(title="title", slug="slug", summary="summary"))
    )


def _group_participations(participations):
    """Group by round, then role, keeping their order: [(round, [(role, [p, …]), …]), …]."""
    groups: dict[str, dict[str, list]] = {}
    for participation in participations:
        by_role = groups.setdefault(participation.round, {})
        by_role.setdefault(participation.get_role_display(), []).append(participation)
    return [(round_, list(roles.items())) for round_, roles in groups.items()]


@query_parameters()
def principle_list(request):
    principles = (
        GuidingPrinciple.objects.select_related("area")
        .annotate(
            programme_count=Count(
                "programmes", filter=Q(programmes__publication="published"), distinct=True
            ),
            measure_count=Count("measures", distinct=True),
        )
        .order_by("number")
    )  # Meta.ordering does not apply to queries with GROUP BY
    frameworks = Framework.objects.prefetch_related(Prefetch("principles", queryset=principles))
    return render(request, "programmes/principle_list.html", {"frameworks": frameworks})


@query_parameters("page", tidy=True)
def principle_detail(request, slug):
    principle = get_object_or_404(
        GuidingPrinciple.objects.select_related("framework", "area").prefetch_related(
            "measures", "goals__measures", "sources"
        ),
        slug=slug,
    )
    programmes = principle.programmes.published().with_status()
    context = {
        "principle": principle,
        # Proposals the Leitbild lists under no goal of their own (the goals list the rest).
        "loose_measures": [m for m in principle.measures.all() if m.goal_id is None],
    }
    return _render_with_programme_page(
        request, "programmes/principle_detail.html", context, programmes
    )


@query_parameters()
def topic_list(request):
    topics = Topic.objects.annotate(
        programme_count=Count("programmes", filter=Q(programmes__publication="published"))
    ).order_by("name")  # Meta.ordering does not apply to queries with GROUP BY
    return render(request, "programmes/topic_list.html", {"topics": topics})


@query_parameters("page", tidy=True)
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    programmes = Programme.objects.published().with_status().filter(topics=topic)
    return _render_with_programme_page(
        request, "programmes/topic_detail.html", {"topic": topic}, programmes
    )


def _render_with_programme_page(request, template, context, programmes):
    """A detail page that lists programmes 20 at a time (closed ones included, marked)."""
    rows = programmes.with_next_deadline().for_listing().order_by("sort_title", "pk")
    try:
        context["page"] = paginate(rows, request.GET.get("page"))
    except BadParameters as bad:
        context["errors"] = bad.errors
        return render(request, template, context, status=400)
    return render(request, template, context)
