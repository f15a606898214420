"""What one mail reports for one period (since, until]: nothing when nothing happened.

A list's digest: programmes of the list that are new (created, or published, in the period) or
changed (with what changed, from the history), and application windows that open or close
within HORIZON days – each window once, on the day it comes within reach. A watched programme:
what changed, and a reminder when one of its deadlines is the chosen number of days away (the
nearest one only, if a pause or an outage let several pass).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from alerts.changes import changes_since
from alerts.watch import headline, list_filterset
from programmes.models import ApplicationWindow, Programme

HORIZON = timedelta(days=14)
MAX_ITEMS = 50  # per section; the mail links to the list for the rest
PUBLICATION = str(Programme._meta.get_field("publication").verbose_name)


@dataclass
class Digest:
    new: list = field(default_factory=list)  # programmes
    changed: list = field(default_factory=list)  # (programme, [labels])
    windows: list = field(default_factory=list)  # (window, "opens" | "closes", date)
    reminders: list = field(default_factory=list)  # (window, days before its deadline)
    more: bool = False  # a section was cut at MAX_ITEMS
    what: str = ""  # the list's headline, from the FilterSet already at hand

    def __bool__(self):
        return bool(self.new or self.changed or self.windows or self.reminders)


def compose(subscription, since: datetime, until: datetime) -> Digest:
    if subscription.programme_id:
        return _programme_digest(subscription, since, until)
    return _list_digest(subscription, since, until)


def _list_digest(subscription, since, until) -> Digest:
    filterset = list_filterset(subscription.query)
    matching = filterset.qs
    touched = list(
        matching.filter(updated__gt=since, updated__lte=until).order_by("sort_title", "pk")[
            : MAX_ITEMS + 1
        ]
    )
    digest = Digest(more=len(touched) > MAX_ITEMS, what=headline(filterset))
    touched = touched[:MAX_ITEMS]
    changes = changes_since([p.pk for p in touched], since)
    for programme in touched:
        labels = changes.get(programme.pk, [])
        if programme.created > since or PUBLICATION in labels:
            digest.new.append(programme)
        elif labels:
            digest.changed.append((programme, labels))
    digest.windows = _windows_coming_up(matching, _day(since), _day(until))
    digest.more = digest.more or len(digest.windows) > MAX_ITEMS
    digest.windows = digest.windows[:MAX_ITEMS]
    return digest


def _windows_coming_up(matching, first: date, last: date) -> list:
    """Windows of the list whose opening or deadline came within HORIZON in (first, last]."""
    low, high = first + HORIZON, last + HORIZON
    windows = (
        ApplicationWindow.objects.filter(programme__in=matching.order_by().values("pk"))
        .filter(Q(opens__gt=low, opens__lte=high) | Q(closes__gt=low, closes__lte=high))
        .select_related("programme")
        .order_by("closes", "opens", "pk")[: MAX_ITEMS + 1]
    )
    found = []
    for window in windows:
        if window.opens and low < window.opens <= high:
            found.append((window, "opens", window.opens))
        if window.closes and low < window.closes <= high:
            found.append((window, "closes", window.closes))
    return sorted(found, key=lambda item: (item[2], item[0].programme.title))


def _programme_digest(subscription, since, until) -> Digest:
    programme = Programme.objects.published().filter(pk=subscription.programme_id).first()
    if programme is None:  # withdrawn: nothing public to report
        return Digest()
    digest = Digest()
    if programme.updated > since:
        labels = changes_since([programme.pk], since).get(programme.pk)
        if labels:
            digest.changed.append((programme, labels))
    first, last = _day(since), _day(until)
    days = sorted(set(subscription.reminder_days))
    for window in programme.application_windows.filter(closes__gte=last):
        due = [d for d in days if first < window.closes - timedelta(days=d) <= last]
        if due:
            window.programme = programme
            digest.reminders.append((window, (window.closes - last).days))
    return digest


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)
