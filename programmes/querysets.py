"""Queryset logic for programmes: publication, derived status, deadlines and search."""

from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchRank
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPEN = "open", _("Antrag möglich")
    UPCOMING = "upcoming", _("Antrag demnächst möglich")
    RUNNING = "running", _("läuft")
    CLOSED = "closed", _("beendet")
    ANNOUNCED = "announced", _("angekündigt")


class ProgrammeQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_listing(self):
        """What a list item shows: with its funder, without the long texts it never shows."""
        return self.select_related("funding_body").defer(
            "description", "search_vector", "rank_vector", "related_terms", "contact", "amount_note"
        )

    def published(self):
        """What the public may see: published entries only, never drafts or archived ones."""
        return self.filter(publication="published")

    def with_status(self, today: date | None = None):
        """Annotate `status`, derived from dates alone (the one place that defines it).

        closed: the programme ended, or it has no end of its own and belongs to a published
        programme that ended (a project of a finished measure; a draft's or withdrawn
        parent's dates decide nothing public). open: an application window covers today
        (a window without dates is always open). upcoming: a window opens later. announced:
        marked as announced or starting later. running: everything else, also no dates at all.
        """
        from programmes.models import ApplicationWindow

        today = today or timezone.localdate()
        windows = ApplicationWindow.objects.filter(programme=OuterRef("pk"))
        open_now = windows.filter(
            Q(opens__isnull=True) | Q(opens__lte=today),
            Q(closes__isnull=True) | Q(closes__gte=today),
        )
        return self.annotate(
            status=Case(
                When(end_date__lt=today, then=Value(Status.CLOSED)),
                When(
                    end_date=None,
                    parent__end_date__lt=today,
                    parent__publication="published",
                    then=Value(Status.CLOSED),
                ),
                When(Exists(open_now), then=Value(Status.OPEN)),
                When(Exists(windows.filter(opens__gt=today)), then=Value(Status.UPCOMING)),
                When(Q(is_announced=True) | Q(start_date__gt=today), then=Value(Status.ANNOUNCED)),
                default=Value(Status.RUNNING),
                output_field=models.CharField(),
            )
        )

    def with_next_deadline(self, today: date | None = None):
        """Annotate `next_deadline`: the earliest application deadline from today on."""
        from programmes.models import ApplicationWindow

        today = today or timezone.localdate()
        first = (
            ApplicationWindow.objects.filter(programme=OuterRef("pk"), closes__gte=today)
            .order_by("closes")
            .values("closes")[:1]
        )
        return self.annotate(next_deadline=Subquery(first, output_field=models.DateField()))

    def with_vocabulary(self):
        """Annotate topics, target groups and funding types as lists of {name, slug}: three
        small lists in the row itself instead of three more queries on a detail page."""
        from programmes.models import FundingType, TargetGroup, Topic

        def entries(model):
            linked = model.objects.filter(programmes=OuterRef("pk")).order_by("name")
            return ArraySubquery(linked.values(entry=JSONObject(name="name", slug="slug")))

        return self.annotate(
            topic_list=entries(Topic),
            target_group_list=entries(TargetGroup),
            funding_type_list=entries(FundingType),
        )

    def search(self, text: str):
        """German full-text search over the stored, weighted vector, ranked by title, short name
        and summary (`rank_vector`): synonyms, compounds, typos and searches that match only
        some words as programmes.search plans them (any input is safe: "phrase", -exclusion,
        oder)."""
        from programmes.search import plan_search

        query = plan_search(text).query
        if query is None:  # only signs or words too common to search for
            return self.none().annotate(rank=Value(0.0, output_field=models.FloatField()))
        return self.filter(search_vector=query).annotate(rank=SearchRank(F("rank_vector"), query))

    def ranked(self, text: str):
        """Annotate the search's `rank` on programmes already known to match it (by id): no
        second test of every row against the query."""
        from programmes.search import plan_search

        query = plan_search(text).query
        if query is None:
            return self.annotate(rank=Value(0.0, output_field=models.FloatField()))
        return self.annotate(rank=SearchRank(F("rank_vector"), query))
