"""Programmes: the list's short form and the detail with everything its page shows."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opendata.serializers.base import (
    FunderRefSerializer,
    HtmlLinkMixin,
    MunicipalityRefSerializer,
    PortalModelSerializer,
    PrincipleRefSerializer,
    ProgrammeRefSerializer,
    TargetGroupRefSerializer,
    TopicRefSerializer,
    absolute,
    api_url,
)
from programmes.models import (
    ApplicationWindow,
    FundingType,
    Link,
    Participation,
    Programme,
    Source,
)
from programmes.querysets import Status

PUBLISHED = Programme.Publication.PUBLISHED


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

    url = api_url("api-programme-detail")
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
            "facts_checked_on",
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
        return absolute(self, reverse("opendata:programme-ics", kwargs={"slug": obj.slug}))
