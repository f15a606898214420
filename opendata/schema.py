"""OpenAPI details drf-spectacular cannot guess: the portal's own filters (a place given by
name, postcode, official key or slug) are plain strings."""

import copy

import django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension


class PortalFilterExtension(DjangoFilterExtension):
    target_class = "opendata.api.PortalFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if type(filter_field).__bases__ == (django_filters.Filter,) and not _built_in(filter_field):
            filter_field = copy.copy(filter_field)
            meaning = getattr(filter_field, "schema_description", filter_field.label)
            filter_field._spectacular_annotation = {
                "field": {
                    "type": "string",
                    "description": (
                        f"{meaning}. A place by name (case and umlauts ignored), postcode, "
                        "official key (AGS) or slug; an ambiguous or unknown name answers 400 "
                        "with `choices`."
                    ),
                }
            }
        return super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )


def _built_in(filter_field) -> bool:
    return type(filter_field).__module__.startswith("django_filters.")
