"""What every resource shares: optional addresses as `null`, absolute links, `html_url`, and
the small references that name a related entry."""

from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.models import Municipality
from programmes.models import (
    Framework,
    FundingBody,
    GuidingPrinciple,
    Programme,
    TargetGroup,
    Topic,
)


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


def api_url(view: str, lookup: str = "slug", kwarg: str | None = None):
    """The `url` field: the entry itself in the API (`view` without the namespace)."""
    return serializers.HyperlinkedIdentityField(
        view_name=f"opendata:{view}", lookup_field=lookup, lookup_url_kwarg=kwarg or lookup
    )


def absolute(serializer, path: str) -> str:
    return serializer.context["request"].build_absolute_uri(path)


def list_link(serializer, parameter: str, value: str, view="api-programme-list") -> str:
    """An API list (the programmes' by default) filtered by one parameter, as an absolute link."""
    path = reverse(f"opendata:{view}") + "?" + urlencode({parameter: value})
    return absolute(serializer, path)


class HtmlLinkMixin(serializers.Serializer):
    html_url = serializers.SerializerMethodField(help_text="The entry's page in the portal.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj) -> str:
        return absolute(self, obj.get_absolute_url())


# --- small references -----------------------------------------------------------------------


def reference(name: str, model, view: str, fields: list[str], *, lookup="slug", kwarg=None):
    """A small serializer naming a related entry, with its own `url` in the API."""
    meta = type("Meta", (), {"model": model, "fields": ["url", *fields]})
    attributes = {"url": api_url(view, lookup, kwarg), "Meta": meta}
    return type(f"{name}RefSerializer", (PortalModelSerializer,), attributes)


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
