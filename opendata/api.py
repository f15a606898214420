"""The read-only JSON API (/api/v1/).

The programme and municipality lists take exactly the parameters of their HTML pages, through the
same FilterSets (one definition of each filter), validated the same way and answered with the
same 400 when a parameter is bad. Pages hold 20 entries, as in the portal.
"""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.listing import PER_PAGE, BadParameters, PageByIds, form_errors, paginate
from municipalities.filters import MunicipalityFilterSet
from municipalities.models import Municipality
from opendata import serializers as s
from opendata.errors import InvalidParameters
from programmes.filters import ProgrammeFilterSet
from programmes.models import (
    Framework,
    FundingBody,
    GuidingPrinciple,
    Participation,
    PrincipleArea,
    Programme,
    TargetGroup,
    Topic,
)

SCHEMA_SETTINGS = {
    # German, as the page around it (templates/drf_spectacular/swagger_ui.html).
    "DESCRIPTION": (
        "Offene Daten des Kommunalkompass NRW, nur lesend: Programme für Kommunen in "
        "Nordrhein-Westfalen, die beteiligten Kommunen, Leitsätze, Themen, Zielgruppen und "
        "Fördergeber. Ohne Schlüssel; CORS ist für GET offen.\n\n"
        "Die Listen der Programme und Kommunen nehmen genau die Parameter der Listen im Portal "
        "(`/programme/`, `/kommunen/`) und beantworten einen abgelehnten Parameter mit 400 und "
        "einem JSON, das ihn nennt. Eine Seite hat 20 Einträge (`page`). Datumsangaben nach "
        "ISO 8601, Texte auf Deutsch. Lizenz: Datenlizenz Deutschland – Namensnennung – 2.0."
        "\n\n"
        "CSV- und XLSX-Exporte, Atom-Feeds und iCalendar-Fristen jeder gefilterten Liste "
        "beschreibt die Open-Data-Dokumentation des Portals (docs/opendata.md)."
    ),
    "LICENSE": {"name": "dl-de/by-2-0", "url": "https://www.govdata.de/dl-de/by-2-0"},
}

BAD_REQUEST = OpenApiResponse(s.ErrorSerializer, description="A parameter was rejected.")
NOT_FOUND = OpenApiResponse(s.NotFoundSerializer, description="No such entry.")


class PortalFilterBackend(DjangoFilterBackend):
    """Filters a list with its portal FilterSet; a FilterSet that sorts (`ordered`) sorts too.

    Invalid input is not silently ignored: it answers 400 naming each parameter.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise InvalidParameters(form_errors(filterset.form))
        listed = getattr(filterset, "listed", None)
        if listed:  # the list knows its order and length without a COUNT(*) (programmes)
            queryset, view.list_total = listed()
            return queryset
        ordered = getattr(filterset, "ordered", None)
        return ordered(filterset.qs) if ordered else filterset.qs


class PortalPagination(PageNumberPagination):
    """The portal's pages of 20 (`page`); a page that does not exist is a bad parameter."""

    page_size = PER_PAGE

    def paginate_queryset(self, queryset, request, view=None):
        # The page's ids first, then those rows with everything shown (core.listing).
        rows = PageByIds(queryset, view.get_queryset()) if view else queryset
        total = getattr(view, "list_total", None)
        try:
            self.page = paginate(rows, request.query_params.get(self.page_query_param), total)
        except BadParameters as bad:
            raise InvalidParameters(bad.errors) from None
        self.request = request
        return list(self.page)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    pagination_class = PortalPagination
    filter_backends = [PortalFilterBackend]
    detail_serializer_class = None

    def filter_queryset(self, queryset):
        # A list's filters and defaults (e.g. "closed ones hidden") never hide a detail page.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class


def published_count():
    return Count("programmes", filter=Q(programmes__publication=Programme.Publication.PUBLISHED))


@extend_schema_view(
    list=extend_schema(
        summary="Programmes",
        description=(
            "The published programmes, filtered and sorted exactly like the portal's list "
            "`/programme/` with the same parameters. Several values of one parameter combine "
            "with OR, different parameters with AND. Without `status`, closed programmes are "
            "left out."
        ),
        responses={200: s.ProgrammeSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary="One programme",
        responses={200: s.ProgrammeDetailSerializer, 404: NOT_FOUND},
    ),
)
class ProgrammeViewSet(ReadOnlyViewSet):
    serializer_class = s.ProgrammeSerializer
    detail_serializer_class = s.ProgrammeDetailSerializer
    filterset_class = ProgrammeFilterSet

    def get_queryset(self):
        programmes = Programme.objects.published().with_status().with_next_deadline()
        if self.action == "list":
            return programmes.for_listing().prefetch_related("topics")
        return programmes.select_related(
            "funding_body", "region", "parent", "predecessor"
        ).prefetch_related(
            "topics",
            "target_groups",
            "funding_types",
            "principles",
            "application_windows",
            "links",
            "sources",
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("municipality").order_by(
                    "round", "role", "municipality__sort_name"
                ),
            ),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Municipalities",
        description=(
            "Land, Regierungsbezirke, Kreise and municipalities of NRW, with the parameters of "
            "the portal's list `/kommunen/`. Only entries still in the official register."
        ),
        responses={200: s.MunicipalitySerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary="One municipality, by slug or official key (AGS)",
        description="With its place in the hierarchy (parent, ancestors) and participations.",
        responses={200: s.MunicipalityDetailSerializer, 404: NOT_FOUND},
    ),
)
class MunicipalityViewSet(ReadOnlyViewSet):
    serializer_class = s.MunicipalitySerializer
    detail_serializer_class = s.MunicipalityDetailSerializer
    filterset_class = MunicipalityFilterSet
    lookup_field = "key"
    lookup_url_kwarg = "ref"

    def get_queryset(self):
        if self.action == "list":
            return (
                Municipality.objects.active()
                .select_related("parent")
                .defer("outline", "parent__outline")
                .order_by("sort_name", "key")
            )
        return Municipality.objects.select_related("parent").prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(
                    programme__publication=Programme.Publication.PUBLISHED
                )
                .select_related("programme")
                .order_by("programme__sort_title", "round", "role"),
                to_attr="published_participations",
            )
        )

    def get_object(self):
        """The official key or the slug, as in the programme list's `municipality` filter."""
        municipality = self.get_queryset().by_slug_or_key(self.kwargs["ref"]).first()
        if municipality is None:
            raise Http404
        return municipality


@extend_schema_view(
    list=extend_schema(
        summary="Guiding principle frameworks (Leitbilder)",
        responses={200: s.FrameworkSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary="One framework", responses={200: s.FrameworkSerializer, 404: NOT_FOUND}
    ),
)
class FrameworkViewSet(ReadOnlyViewSet):
    serializer_class = s.FrameworkSerializer
    queryset = Framework.objects.prefetch_related(
        Prefetch("areas", queryset=PrincipleArea.objects.order_by("position", "pk")),
        Prefetch("principles", queryset=GuidingPrinciple.objects.order_by("number")),
    ).order_by("position", "title", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="Guiding principles (Leitsätze)",
        responses={200: s.PrincipleSerializer(many=True), 400: BAD_REQUEST},
    ),
    retrieve=extend_schema(
        summary="One guiding principle", responses={200: s.PrincipleSerializer, 404: NOT_FOUND}
    ),
)
class PrincipleViewSet(ReadOnlyViewSet):
    serializer_class = s.PrincipleSerializer
    queryset = (
        GuidingPrinciple.objects.select_related("framework", "area")
        .prefetch_related("measures")
        .order_by("framework__position", "framework__title", "number", "pk")
    )


def _vocabulary_view(model, serializer, name):
    @extend_schema_view(
        list=extend_schema(summary=name, responses={200: serializer(many=True), 400: BAD_REQUEST}),
        retrieve=extend_schema(
            summary=f"{name}: one entry", responses={200: serializer, 404: NOT_FOUND}
        ),
    )
    class VocabularyViewSet(ReadOnlyViewSet):
        serializer_class = serializer
        queryset = model.objects.annotate(programme_count=published_count()).order_by("name", "pk")

    VocabularyViewSet.__name__ = VocabularyViewSet.__qualname__ = f"{model.__name__}ViewSet"
    return VocabularyViewSet


TopicViewSet = _vocabulary_view(Topic, s.TopicSerializer, "Topics")
TargetGroupViewSet = _vocabulary_view(TargetGroup, s.TargetGroupSerializer, "Target groups")
FunderViewSet = _vocabulary_view(FundingBody, s.FunderSerializer, "Funders")

ENDPOINTS = {
    "programmes": "api-programme-list",
    "municipalities": "api-municipality-list",
    "frameworks": "api-framework-list",
    "principles": "api-principle-list",
    "topics": "api-topic-list",
    "target_groups": "api-target-group-list",
    "funders": "api-funder-list",
    "openapi": "openapi",
    "docs": "api-docs",
}


@extend_schema(exclude=True)
@api_view(["GET"])
def api_root(request):
    """Where everything is."""
    return Response(
        {key: reverse(f"opendata:{name}", request=request) for key, name in ENDPOINTS.items()}
    )
