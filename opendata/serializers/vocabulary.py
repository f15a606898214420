"""Topics, target groups and funders: entries programmes are filtered by, each with its count
and a link to the filtered list."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opendata.serializers.base import (
    HtmlLinkMixin,
    OptionalURLField,
    PortalModelSerializer,
    api_url,
    list_link,
)
from programmes.models import FundingBody, TargetGroup, Topic


class VocabularySerializer(PortalModelSerializer):
    """An entry programmes are filtered by; `programmes_url` is that filtered list."""

    programme_count = serializers.IntegerField(
        read_only=True, help_text="Published programmes, closed ones included."
    )
    programmes_url = serializers.SerializerMethodField()
    filter_parameter: str

    @extend_schema_field(OpenApiTypes.URI)
    def get_programmes_url(self, obj) -> str:
        return list_link(self, self.filter_parameter, obj.slug)


class TopicSerializer(HtmlLinkMixin, VocabularySerializer):
    url = api_url("api-topic-detail")
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
    url = api_url("api-target-group-detail")
    filter_parameter = "target_group"

    class Meta:
        model = TargetGroup
        fields = ["url", "slug", "name", "description", "programme_count", "programmes_url"]


class FunderSerializer(VocabularySerializer):
    url = api_url("api-funder-detail")
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
