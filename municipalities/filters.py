"""Filters of the municipality list; shared by the HTML page and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import no_control_characters
from municipalities.models import Municipality

REGION_KINDS = [
    Municipality.Kind.LAND,
    Municipality.Kind.REGIERUNGSBEZIRK,
    Municipality.Kind.KREIS,
    Municipality.Kind.STAEDTEREGION,
]


class RegionField(forms.CharField):
    """A Land, Regierungsbezirk or Kreis, given by slug or official key."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        region = (
            Municipality.objects.by_slug_or_key(value.strip()).filter(kind__in=REGION_KINDS).first()
        )
        if region is None:
            raise forms.ValidationError(
                _("Kein Gebiet (Regierungsbezirk, Kreis) mit Kurzadresse/Schlüssel „%(value)s“."),
                params={"value": value},
            )
        return region


class RegionFilter(django_filters.Filter):
    field_class = RegionField

    def filter(self, qs, region):
        return qs if region is None else qs.filter(key__startswith=region.key).exclude(pk=region.pk)


class MunicipalityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name oder Schlüssel"),
        method="filter_name_or_key",
        max_length=200,
        validators=[no_control_characters],
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=Municipality.Kind.choices, label=_("Art"), distinct=False
    )
    region = RegionFilter(label=_("Gebiet"))

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
        if value.isdigit():
            return queryset.filter(key__startswith=value)
        return queryset.filter(Q(name__icontains=value) | Q(official_name__icontains=value))
