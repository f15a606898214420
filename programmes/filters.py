"""The programme list's filters: one definition for the HTML list, exports, feeds and the API.

Every choice is addressed by its slug so query strings stay readable and shareable. Several
values of one parameter combine with OR, different parameters with AND.
"""

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import no_control_characters
from municipalities.forms import PlaceField
from programmes.models import (
    ApplicationWindow,
    FundingBody,
    GuidingPrinciple,
    Level,
    Programme,
    TargetGroup,
    Topic,
)
from programmes.openness import open_to, reach
from programmes.querysets import Status

MAX_QUERY_LENGTH = 200
ISO_DATE = ["%Y-%m-%d"]
# Filters that are no facet: the facet counts ask the database which programmes they admit.
NON_FACET_FILTERS = ("q", "municipality", "open_to", "deadline_before")


class AnyOfFilter(django_filters.ModelMultipleChoiceFilter):
    """Programmes linked to any of the chosen entries, as one semi-join (no duplicate rows)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        linked = qs.model.objects.filter(**{f"{self.field_name}__in": value})
        return qs.filter(pk__in=linked.values("pk"))


class MunicipalityFilter(django_filters.Filter):
    """A place by name, postcode, official key or slug (municipalities.forms.PlaceField)."""

    field_class = PlaceField
    schema_description = "takes part: the place, or one inside it, takes part in the programme"

    def filter(self, qs, municipality):
        """Programmes in which the municipality, or one inside it, takes part."""
        if municipality is None:
            return qs
        taking_part = Programme.objects.filter(
            participations__municipality__key__startswith=municipality.key
        )
        return qs.filter(pk__in=taking_part.values("pk"))


class OpenToFilter(django_filters.Filter):
    field_class = PlaceField
    schema_description = (
        "open to: the programme is open to the place (its region contains it; Land-wide "
        "programmes to NRW, Bund-wide to Germany; a project only to its participants)"
    )

    def filter(self, qs, place):
        """Programmes open to the place (programmes.openness)."""
        return qs if place is None else qs.filter(open_to(place))

    def admitted(self, place, index) -> int:
        """The same as a bitset of the catalogue index, without a query (programmes.facets)."""
        return reach().open_to(place.key) & index.published


class Sort:
    RELEVANCE = "relevance"
    TITLE = "title"
    DEADLINE = "deadline"
    UPDATED = "updated"
    CHOICES = [
        (RELEVANCE, _("Relevanz")),
        (TITLE, _("Titel (A–Z)")),
        (DEADLINE, _("nächste Frist")),
        (UPDATED, _("zuletzt aktualisiert")),
    ]


class ProgrammeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suchbegriff"),
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        validators=[no_control_characters],
    )
    topic = AnyOfFilter(field_name="topics", queryset=Topic.objects.all(), label=_("Thema"))
    target_group = AnyOfFilter(
        field_name="target_groups", queryset=TargetGroup.objects.all(), label=_("Zielgruppe")
    )
    funder = AnyOfFilter(
        field_name="funding_body", queryset=FundingBody.objects.all(), label=_("Fördergeber")
    )
    level = django_filters.MultipleChoiceFilter(
        choices=Level.choices, label=_("Ebene"), distinct=False
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=Programme.Kind.choices, label=_("Art"), distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("Status"), distinct=False
    )
    municipality = MunicipalityFilter(label=_("Kommune"))
    open_to = OpenToFilter(label=_("offen für"))
    principle = AnyOfFilter(
        field_name="principles", queryset=GuidingPrinciple.objects.all(), label=_("Leitsatz")
    )
    deadline_before = django_filters.DateFilter(
        label=_("Antragsfrist bis"), method="filter_deadline_before", input_formats=ISO_DATE
    )
    sort = django_filters.ChoiceFilter(
        choices=Sort.CHOICES, label=_("Sortierung"), method="keep_order", empty_label=None
    )

    class Meta:
        model = Programme
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Programme.objects.published().with_status()
        super().__init__(data, queryset, **kwargs)

    def filter_queryset(self, queryset):
        """Apply every filter. Without a `status` parameter, closed programmes stay hidden: the
        public list's default. (Closed means ended before today, see `with_status`; asking the
        end date directly spares the database the status of every other programme.)"""
        queryset = self.apply(queryset, self.form.cleaned_data)
        if not self.form.cleaned_data.get("status"):
            today = timezone.localdate()
            queryset = queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        return queryset

    def apply(self, queryset, names):
        """Apply the named filters (validated input reused)."""
        for name in names:
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def listed(self):
        """The list's programmes in its order and how many they are, with the counts of the
        catalogue index (programmes.facets) instead of a COUNT(*) over the catalogue."""
        from programmes.facets import FacetCounter

        counts = FacetCounter(self).compute()
        return counts.in_order(self), counts.total

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

    def filter_deadline_before(self, queryset, name, value):
        due = ApplicationWindow.objects.filter(
            programme=OuterRef("pk"), closes__gte=timezone.localdate(), closes__lte=value
        )
        return queryset.filter(Exists(due))

    def keep_order(self, queryset, name, value):
        return queryset  # ordering is applied by `ordered()`, after all filters

    @property
    def sort_key(self) -> str:
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        has_query = bool(self.form.cleaned_data.get("q", "").strip()) if self.is_bound else False
        if chosen == Sort.RELEVANCE and not has_query:
            return Sort.TITLE
        return chosen or (Sort.RELEVANCE if has_query else Sort.TITLE)

    def ordered(self, queryset):
        """Sort the filtered programmes; ties always break by title for a stable order."""
        key = self.sort_key
        if key == Sort.RELEVANCE:
            return queryset.order_by("-rank", "sort_title", "pk")
        if key == Sort.DEADLINE:
            return queryset.with_next_deadline().order_by(
                F("next_deadline").asc(nulls_last=True), "sort_title", "pk"
            )
        if key == Sort.UPDATED:
            return queryset.order_by("-updated", "pk")
        return queryset.order_by("sort_title", "pk")
