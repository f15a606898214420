"""What `manage.py send_alerts` and the worker's periodic task do: compose the digests that are
due, hand waiting mails to the SMTP server, forget what is no longer needed.

Each subscription is composed in a transaction of its own that locks it, stores its mail and
moves its mark; subscriptions are read in batches of ids, so memory stays flat however many
there are, and parallel runs skip what another run holds.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from alerts import digest, mails
from alerts.delivery import Delivered, deliver_waiting
from alerts.models import Attempt, Delivery, Subscription
from core.listing import BadParameters

BATCH = 500
MEMO_SIZE = 256  # digests kept per run
SEND_AT = time(7, 0)  # local time of the daily and weekly digests
UNCONFIRMED_FOR = timedelta(hours=48)
SENT_LOG_FOR = timedelta(days=90)
ATTEMPTS_FOR = timedelta(days=1)
logger = logging.getLogger(__name__)


@dataclass
class Run:
    composed: int = 0
    delivered: Delivered | None = None


def send_alerts(now: datetime, every: bool = False) -> Run:
    """Compose what is due (`every`: every confirmed, active subscription), then deliver."""
    run = Run(composed=compose_due(now, every))
    run.delivered = deliver_waiting(now)
    prune(now)
    return run


def next_due(rhythm: str, after: datetime) -> datetime:
    """The next sending time after `after`: tomorrow's or next Monday's SEND_AT."""
    day = timezone.localdate(after) + timedelta(days=1)
    if rhythm == Subscription.Rhythm.WEEKLY:
        day += timedelta(days=(7 - day.weekday()) % 7)
    return timezone.make_aware(datetime.combine(day, SEND_AT))


def compose_due(now: datetime, every: bool = False) -> int:
    active = Subscription.objects.filter(confirmed__isnull=False, paused=False)
    if not every:
        active = active.filter(due__lte=now)
    composed, last, memo = 0, 0, {}
    while ids := list(
        active.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
    ):
        composed += sum(compose_one(pk, now, memo) for pk in ids)
        last = ids[-1]
    return composed


def compose_one(pk: int, now: datetime, memo: dict | None = None) -> bool:
    """Store the subscription's mail for (mark, now] and move the mark, in one transaction.
    `memo` keeps the digests of this run: alerts on the same list, composed together the last
    time, share their period and so their digest (the mail itself is each one's own)."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("programme")
            .filter(pk=pk, confirmed__isnull=False, paused=False)
            .first()
        )
        if subscription is None or (subscription.covered_until or now) > now:
            return False
        since = subscription.covered_until or subscription.confirmed
        found = _compose(subscription, since, now, {} if memo is None else memo)
        if found:
            subject, text, html = mails.digest(subscription, found, since)
            Delivery.objects.create(
                subscription=subscription,
                kind=Delivery.Kind.DIGEST,
                covered_until=now,
                subject=subject,
                text=text,
                html=html,
                created=now,
                next_attempt=now,
            )
        subscription.covered_until = now
        subscription.due = next_due(subscription.rhythm, now)
        subscription.save(update_fields=["covered_until", "due"])
        return bool(found)


def _compose(subscription, since, now, memo: dict):
    key = (
        subscription.query,
        subscription.programme_id,
        *sorted(subscription.reminder_days),
        since,
    )
    if key not in memo:
        if len(memo) >= MEMO_SIZE:  # bounded: memory stays flat however many lists
            memo.clear()
        try:
            memo[key] = digest.compose(subscription, since, now)
        except BadParameters:
            # A stored filter that no longer exists (a topic removed): nothing matches it now.
            logger.warning(
                "Subscription %s: its list's filters are no longer valid.", subscription.pk
            )
            memo[key] = digest.Digest()
    return memo[key]


def prune(now: datetime) -> None:
    """Unconfirmed requests after 48 hours, the sent log after 90 days, counters after a day."""
    Subscription.objects.filter(confirmed__isnull=True, created__lt=now - UNCONFIRMED_FOR).delete()
    Delivery.objects.filter(created__lt=now - SENT_LOG_FOR).exclude(
        sent__isnull=True, failed=False
    ).delete()
    Attempt.objects.filter(at__lt=now - ATTEMPTS_FOR).delete()
