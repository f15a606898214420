"""Filters of the municipality list; shared by the HTML page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.german import slug
from core.validators import no_control_characters
from municipalities.forms import PlaceField
from municipalities.models import Municipality

REGION_KINDS = [
    Municipality.Kind.LAND,
    Municipality.Kind.REGIERUNGSBEZIRK,
    Municipality.Kind.KREIS,
    Municipality.Kind.STAEDTEREGION,
]


class RegionFilter(django_filters.Filter):
    """A Land, Regierungsbezirk or Kreis, by name, official key or slug."""

    field_class = PlaceField

    def filter(self, qs, region):
        return qs if region is None else qs.filter(key__startswith=region.key).exclude(pk=region.pk)


class MunicipalityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, Postleitzahl oder Schlüssel"),
        method="filter_name_or_key",
        max_length=200,
        validators=[no_control_characters],
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=Municipality.Kind.choices, label=_("Art"), distinct=False
    )
    region = RegionFilter(
        label=_("Gebiet"),
        kinds=REGION_KINDS,
        kinds_label=_("Land, Regierungsbezirk, Kreis oder Städteregion"),
    )

    class Meta:
        model = Municipality
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Municipality.objects.active()
        super().__init__(data, queryset, **kwargs)

    def filter_name_or_key(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if value.isdigit():  # a key or a postcode, also their first digits
            return queryset.filter(Q(key__startswith=value) | Q(postcode__startswith=value))
        # "Muenster" and "münster" find Münster: the slug spells umlauts out.
        spelled = Q(slug__contains=slug(value)) if slug(value) else Q(pk__in=[])
        return queryset.filter(
            Q(name__icontains=value) | Q(official_name__icontains=value) | spelled
        )
