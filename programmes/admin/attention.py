"""What needs an editor's attention, as querysets: the desk on the admin start page
(programmes.admin.desk) lists them, the programme list filters by them."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from programmes import link_status
from programmes.models import ApplicationWindow, Programme, Source
from programmes.models.programme import FACTS_FRESH_DAYS

State = Programme.Publication
RECENTLY_CLOSED_DAYS = 30
CLOSING_SOON_DAYS = 14


def facts_stale(queryset, today: date):
    """Facts not compared with the sources for twelve months, or never."""
    limit = today - timedelta(days=FACTS_FRESH_DAYS)
    return queryset.filter(Q(facts_checked_on__lt=limit) | Q(facts_checked_on=None))


def deadline_within(queryset, today: date, days: int):
    """An application window closes between today and `days` days from now."""
    windows = ApplicationWindow.objects.filter(
        programme=OuterRef("pk"), closes__gte=today, closes__lte=today + timedelta(days=days)
    )
    return queryset.filter(Exists(windows))


def deadline_passed_within(queryset, today: date, days: int):
    """An application window closed in the last `days` days."""
    windows = ApplicationWindow.objects.filter(
        programme=OuterRef("pk"), closes__lt=today, closes__gte=today - timedelta(days=days)
    )
    return queryset.filter(Exists(windows))


def without_source(queryset):
    sources = Source.objects.filter(
        content_type=ContentType.objects.get_for_model(Programme), object_id=OuterRef("pk")
    )
    return queryset.filter(~Exists(sources))


def with_failed_link(queryset):
    """The official page, a link or a source failed its last check (programmes.link_status)."""
    return link_status.with_failed_link(queryset)


def contradictions(queryset, today: date):
    """Text and dates that disagree: the text says it runs or takes applications, while the
    programme ended; or it is marked "announced" although it has started."""
    running_words = Q(summary__iregex=r"\m(läuft|laufend|antrag(stellung)? möglich)\M") | Q(
        description__iregex=r"\m(läuft noch|antragstellung ist möglich)\M"
    )
    ended = Q(end_date__lt=today)
    announced_but_started = Q(is_announced=True, start_date__lte=today)
    return queryset.filter((running_words & ended) | announced_but_started)


def waiting_for_review(queryset):
    return queryset.filter(publication=State.REVIEW)


def overdue_schedule(queryset, now):
    """Scheduled for publication, due, but held back (incomplete)."""
    return queryset.filter(publish_at__lt=now, publication__in=[State.DRAFT, State.REVIEW])
