"""Guiding principles: frameworks (Leitbilder) with their areas, and the principles with their
measures and the programmes that pursue them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opendata.serializers.base import (
    FrameworkRefSerializer,
    HtmlLinkMixin,
    PortalModelSerializer,
    PrincipleRefSerializer,
    api_url,
    list_link,
)
from programmes.models import Framework, GuidingPrinciple, PrincipleArea


class PrincipleAreaSerializer(PortalModelSerializer):
    class Meta:
        model = PrincipleArea
        fields = ["slug", "title"]


class FrameworkSerializer(HtmlLinkMixin, PortalModelSerializer):
    url = api_url("api-framework-detail")
    areas = PrincipleAreaSerializer(many=True, read_only=True)
    principles = PrincipleRefSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["url", "html_url", "slug", "title", "issuer", "summary", "areas", "principles"]


class PrincipleSerializer(HtmlLinkMixin, PortalModelSerializer):
    url = api_url("api-principle-detail")
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
        return list_link(self, "principle", obj.slug)
