"""Municipalities and regions: place in the hierarchy, the programmes they take part in, and
links to the lists filtered by them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.attribution import BKG, register_attribution
from municipalities.filters import REGION_KINDS
from municipalities.models import Municipality
from municipalities.nrw_data import NRW, register_edition
from opendata.serializers.base import (
    HtmlLinkMixin,
    MunicipalityRefSerializer,
    PortalModelSerializer,
    ProgrammeRefSerializer,
    api_url,
    list_link,
)
from programmes.models import Participation


class MunicipalitySerializer(HtmlLinkMixin, PortalModelSerializer):
    url = api_url("api-municipality-detail", lookup="key", kwarg="ref")
    level = serializers.IntegerField(
        read_only=True, help_text="0 Land, 1 Regierungsbezirk, 2 Kreis, 3 Gemeinde."
    )
    parent = MunicipalityRefSerializer(allow_null=True, read_only=True)
    attribution = serializers.SerializerMethodField(
        help_text="Whose figures (and outline) these are, as their licences require."
    )

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
            "attribution",
        ]
        extra_kwargs = {
            "key": {"help_text": "Amtlicher Gemeindeschlüssel (AGS): 2, 3, 5 or 8 digits."},
            "area_km2": {"coerce_to_string": False},
            "latitude": {"coerce_to_string": False, "help_text": "WGS84, centre."},
            "longitude": {"coerce_to_string": False, "help_text": "WGS84, centre."},
        }

    def get_attribution(self, obj) -> str:
        return data_sources(obj, outline=False)


def data_sources(municipality: Municipality, *, outline: bool) -> str:
    """The register (for its figures) and the BKG (for its outline), where they apply."""
    sources = []
    if municipality.population is not None:
        nrw = municipality.key.startswith(NRW)
        sources.append(register_attribution(register_edition()[0] if nrw else None))
    if outline and municipality.outline:
        sources.append(f"Umriss: {BKG}")
    return "; ".join(sources)


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

    def get_attribution(self, obj) -> str:
        return data_sources(obj, outline=True)

    @extend_schema_field(MunicipalityRefSerializer(many=True))
    def get_ancestors(self, obj):
        return MunicipalityRefSerializer(obj.ancestors(), many=True, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_programmes_url(self, obj) -> str:
        return list_link(self, "municipality", obj.key)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_within_url(self, obj):
        if obj.kind not in REGION_KINDS:
            return None
        return list_link(self, "region", obj.key, view="api-municipality-list")
