"""The API's representations: stable English field names, ISO dates, absolute links.

Every resource carries `url` (itself in the API) and, where the portal has a page for it,
`html_url`. Related entries appear as small references with their own `url`. Drafts never
appear: references to programmes are only made to published ones.
"""

from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.filters import REGION_KINDS
from municipalities.models import Municipality
from programmes.models import (
    ApplicationWindow,
    Framework,
    FundingBody,
    FundingType,
    GuidingPrinciple,
    Link,
    Participation,
    PrincipleArea,
    Programme,
    Source,
    TargetGroup,
    Topic,
)
from programmes.querysets import Status

PUBLISHED = Programme.Publication.PUBLISHED


class BlankAsNullMixin:
    """An optional address the editors left empty is `null`, not an empty, invalid URI."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class OptionalURLField(BlankAsNullMixin, serializers.URLField):
    pass


class OptionalEmailField(BlankAsNullMixin, serializers.EmailField):
    pass


class PortalModelSerializer(serializers.ModelSerializer):
    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        optional = {models.URLField: OptionalURLField, models.EmailField: OptionalEmailField}
        if type(model_field) in optional and model_field.blank:
            field_class = optional[type(model_field)]
            kwargs["allow_null"] = True
        return field_class, kwargs


def _absolute(serializer, path: str) -> str:
    return serializer.context["request"].build_absolute_uri(path)


def _programme_list_link(serializer, parameter: str, value: str) -> str:
    """The API's programme list filtered by one parameter, as an absolute link."""
    path = reverse("opendata:api-programme-list") + "?" + urlencode({parameter: value})
    return _absolute(serializer, path)


class HtmlLinkMixin(serializers.Serializer):
    html_url = serializers.SerializerMethodField(help_text="The entry's page in the portal.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj) -> str:
        return _absolute(self, obj.get_absolute_url())


# --- small references -----------------------------------------------------------------------


def reference(name: str, model, view: str, fields: list[str], *, lookup="slug", kwarg=None):
    """A small serializer naming a related entry, with its own `url` in the API."""
    url = serializers.HyperlinkedIdentityField(
        view_name=f"opendata:{view}", lookup_field=lookup, lookup_url_kwarg=kwarg or lookup
    )
    meta = type("Meta", (), {"model": model, "fields": ["url", *fields]})
    return type(f"{name}RefSerializer", (PortalModelSerializer,), {"url": url, "Meta": meta})


TopicRefSerializer = reference("Topic", Topic, "api-topic-detail", ["slug", "name"])
TargetGroupRefSerializer = reference(
    "TargetGroup", TargetGroup, "api-target-group-detail", ["slug", "name"]
)
FunderRefSerializer = reference(
    "Funder", FundingBody, "api-funder-detail", ["slug", "name", "short_name"]
)
MunicipalityRefSerializer = reference(
    "Municipality", Municipality, "api-municipality-detail", ["key", "slug", "name", "kind"],
    lookup="key", kwarg="ref",
)  # fmt: skip
ProgrammeRefSerializer = reference(
    "Programme", Programme, "api-programme-detail", ["slug", "title"]
)
PrincipleRefSerializer = reference(
    "Principle", GuidingPrinciple, "api-principle-detail", ["slug", "number", "title"]
)
FrameworkRefSerializer = reference(
    "Framework", Framework, "api-framework-detail", ["slug", "title"]
)


# --- programmes -------------------------------------------------------------------------------


class ApplicationWindowSerializer(PortalModelSerializer):
    class Meta:
        model = ApplicationWindow
        fields = ["id", "opens", "closes", "note"]


class LinkSerializer(PortalModelSerializer):
    class Meta:
        model = Link
        fields = ["title", "url"]


class SourceSerializer(PortalModelSerializer):
    class Meta:
        model = Source
        fields = ["title", "url", "accessed"]


class FundingTypeSerializer(PortalModelSerializer):
    class Meta:
        model = FundingType
        fields = ["slug", "name"]


class ProgrammeParticipationSerializer(PortalModelSerializer):
    municipality = MunicipalityRefSerializer()

    class Meta:
        model = Participation
        fields = ["municipality", "role", "round", "note"]


class ProgrammeSerializer(HtmlLinkMixin, PortalModelSerializer):
    """A programme as a list shows it."""

    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-programme-detail", lookup_field="slug"
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text="Derived from the dates: open, upcoming, running, closed or announced.",
    )
    next_deadline = serializers.DateField(
        read_only=True, allow_null=True, help_text="The earliest application deadline from today."
    )
    funder = FunderRefSerializer(source="funding_body", allow_null=True, read_only=True)
    topics = TopicRefSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "url",
            "html_url",
            "slug",
            "title",
            "short_name",
            "summary",
            "kind",
            "level",
            "status",
            "next_deadline",
            "funder",
            "topics",
            "created",
            "updated",
        ]


class ProgrammeDetailSerializer(ProgrammeSerializer):
    """A programme with everything its page shows."""

    target_groups = TargetGroupRefSerializer(many=True, read_only=True)
    funding_types = FundingTypeSerializer(many=True, read_only=True)
    principles = PrincipleRefSerializer(many=True, read_only=True)
    region = MunicipalityRefSerializer(allow_null=True, read_only=True)
    parent = serializers.SerializerMethodField()
    predecessor = serializers.SerializerMethodField()
    application_windows = ApplicationWindowSerializer(many=True, read_only=True)
    links = LinkSerializer(many=True, read_only=True)
    participations = ProgrammeParticipationSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    calendar_url = serializers.SerializerMethodField(
        help_text="The programme's application deadlines as iCalendar (.ics)."
    )

    class Meta(ProgrammeSerializer.Meta):
        fields = [
            *ProgrammeSerializer.Meta.fields,
            "description",
            "target_groups",
            "funding_types",
            "principles",
            "region",
            "total_budget",
            "max_grant",
            "funding_rate",
            "amount_note",
            "start_date",
            "end_date",
            "is_announced",
            "website",
            "contact",
            "contact_email",
            "parent",
            "predecessor",
            "application_windows",
            "links",
            "participations",
            "sources",
            "calendar_url",
        ]
        extra_kwargs = {
            "total_budget": {"coerce_to_string": False, "help_text": "In euros."},
            "max_grant": {"coerce_to_string": False, "help_text": "In euros."},
            "funding_rate": {"coerce_to_string": False, "help_text": "In per cent."},
        }

    def _published_ref(self, programme):
        if programme is None or programme.publication != PUBLISHED:
            return None
        return ProgrammeRefSerializer(programme, context=self.context).data

    @extend_schema_field(ProgrammeRefSerializer(allow_null=True))
    def get_parent(self, obj):
        return self._published_ref(obj.parent)

    @extend_schema_field(ProgrammeRefSerializer(allow_null=True))
    def get_predecessor(self, obj):
        return self._published_ref(obj.predecessor)

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, obj) -> str:
        return _absolute(self, reverse("opendata:programme-ics", kwargs={"slug": obj.slug}))


# --- municipalities ---------------------------------------------------------------------------


class MunicipalitySerializer(HtmlLinkMixin, PortalModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-municipality-detail", lookup_field="key", lookup_url_kwarg="ref"
    )
    level = serializers.IntegerField(
        read_only=True, help_text="0 Land, 1 Regierungsbezirk, 2 Kreis, 3 Gemeinde."
    )
    parent = MunicipalityRefSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Municipality
        fields = [
            "url",
            "html_url",
            "key",
            "slug",
            "name",
            "official_name",
            "kind",
            "level",
            "parent",
            "population",
            "population_date",
            "area_km2",
            "postcode",
            "latitude",
            "longitude",
            "website",
            "is_active",
        ]
        extra_kwargs = {
            "key": {"help_text": "Amtlicher Gemeindeschlüssel (AGS): 2, 3, 5 or 8 digits."},
            "area_km2": {"coerce_to_string": False},
            "latitude": {"coerce_to_string": False, "help_text": "WGS84, centre."},
            "longitude": {"coerce_to_string": False, "help_text": "WGS84, centre."},
        }


class MunicipalityParticipationSerializer(PortalModelSerializer):
    programme = ProgrammeRefSerializer()

    class Meta:
        model = Participation
        fields = ["programme", "role", "round", "note"]


class MunicipalityDetailSerializer(MunicipalitySerializer):
    ancestors = serializers.SerializerMethodField(
        help_text="Land, Regierungsbezirk and Kreis above it, outermost first."
    )
    participations = MunicipalityParticipationSerializer(
        source="published_participations",
        many=True,
        read_only=True,
        help_text="Published programmes it takes part in.",
    )
    programmes_url = serializers.SerializerMethodField(
        help_text="Programmes in which it, or a municipality inside it, takes part."
    )
    within_url = serializers.SerializerMethodField(
        help_text="The municipalities inside this region (null for a municipality)."
    )

    class Meta(MunicipalitySerializer.Meta):
        fields = [
            *MunicipalitySerializer.Meta.fields,
            "ancestors",
            "participations",
            "programmes_url",
            "within_url",
            "outline",
        ]
        extra_kwargs = {
            **MunicipalitySerializer.Meta.extra_kwargs,
            "outline": {"help_text": "Simplified boundary as a GeoJSON geometry (WGS84)."},
        }

    @extend_schema_field(MunicipalityRefSerializer(many=True))
    def get_ancestors(self, obj):
        return MunicipalityRefSerializer(obj.ancestors(), many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_programmes_url(self, obj) -> str:
        return _programme_list_link(self, "municipality", obj.key)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_within_url(self, obj):
        if obj.kind not in REGION_KINDS:
            return None
        path = reverse("opendata:api-municipality-list") + "?" + urlencode({"region": obj.key})
        return _absolute(self, path)


# --- guiding principles -----------------------------------------------------------------------


class PrincipleAreaSerializer(PortalModelSerializer):
    class Meta:
        model = PrincipleArea
        fields = ["slug", "title"]


class FrameworkSerializer(HtmlLinkMixin, PortalModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-framework-detail", lookup_field="slug"
    )
    areas = PrincipleAreaSerializer(many=True, read_only=True)
    principles = PrincipleRefSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["url", "html_url", "slug", "title", "issuer", "summary", "areas", "principles"]


class PrincipleSerializer(HtmlLinkMixin, PortalModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-principle-detail", lookup_field="slug"
    )
    framework = FrameworkRefSerializer(read_only=True)
    area = PrincipleAreaSerializer(allow_null=True, read_only=True)
    measures = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="text", help_text="Suggested measures, in order."
    )
    programmes_url = serializers.SerializerMethodField()

    class Meta:
        model = GuidingPrinciple
        fields = [
            "url",
            "html_url",
            "slug",
            "framework",
            "area",
            "number",
            "title",
            "text",
            "measures",
            "programmes_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_programmes_url(self, obj) -> str:
        return _programme_list_link(self, "principle", obj.slug)


# --- vocabularies -----------------------------------------------------------------------------


class VocabularySerializer(PortalModelSerializer):
    """An entry programmes are filtered by; `programmes_url` is that filtered list."""

    programme_count = serializers.IntegerField(
        read_only=True, help_text="Published programmes, closed ones included."
    )
    programmes_url = serializers.SerializerMethodField()
    filter_parameter: str

    @extend_schema_field(OpenApiTypes.URI)
    def get_programmes_url(self, obj) -> str:
        return _programme_list_link(self, self.filter_parameter, obj.slug)


class TopicSerializer(HtmlLinkMixin, VocabularySerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-topic-detail", lookup_field="slug"
    )
    filter_parameter = "topic"

    class Meta:
        model = Topic
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "description",
            "programme_count",
            "programmes_url",
        ]


class TargetGroupSerializer(VocabularySerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-target-group-detail", lookup_field="slug"
    )
    filter_parameter = "target_group"

    class Meta:
        model = TargetGroup
        fields = ["url", "slug", "name", "description", "programme_count", "programmes_url"]


class FunderSerializer(VocabularySerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="opendata:api-funder-detail", lookup_field="slug"
    )
    website = OptionalURLField(source="url", read_only=True, allow_null=True)
    filter_parameter = "funder"

    class Meta:
        model = FundingBody
        fields = [
            "url",
            "slug",
            "name",
            "short_name",
            "level",
            "website",
            "programme_count",
            "programmes_url",
        ]


# --- errors (for the schema) ------------------------------------------------------------------


class ParameterErrorSerializer(serializers.Serializer):
    parameter = serializers.CharField(help_text="The query parameter that was rejected.")
    label = serializers.CharField(help_text="Its name in the portal (German).")
    message = serializers.CharField(help_text="What was wrong with it (German).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ParameterErrorSerializer(many=True)


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()
