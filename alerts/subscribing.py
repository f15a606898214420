"""Starting, confirming and ending subscriptions, with the limits that keep the form from
being used to flood an inbox: at most ADDRESS_PER_DAY confirmation mails per address and
CLIENT_PER_HOUR requests per client address (IPv6 per /64). Both are counted as keyed hashes.

The answer to a request never says whether the address was known: an address already
subscribed gets a mail with its management link, one over its limit gets nothing, and the page
says the same in every case.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils.crypto import salted_hmac

from alerts import mails
from alerts.models import Attempt, Delivery, Subscription
from alerts.sending import next_due

ADDRESS_PER_DAY = 3
CLIENT_PER_HOUR = 10


def client_allowed(client: str, now: datetime) -> bool:
    """Count a request of this client; False once it made CLIENT_PER_HOUR within the hour."""
    return _count(Attempt.Kind.CLIENT, client, now, timedelta(hours=1), CLIENT_PER_HOUR)


def request_subscription(
    *, email: str, now: datetime, query: str = "", programme=None, rhythm: str = ""
) -> None:
    """Start (or repeat) a subscription and queue the mail that confirms it."""
    email = email.strip().lower()
    with transaction.atomic():
        if not _count(Attempt.Kind.ADDRESS, email, now, timedelta(days=1), ADDRESS_PER_DAY):
            return
        subscription, _created = Subscription.objects.get_or_create(
            email=email, query=query, programme=programme, defaults={"created": now}
        )
        already = subscription.confirmed is not None
        if not already:  # a new request starts its 48 hours again
            subscription.created = now
            # A watched programme is looked at daily: its reminders are due on a given day.
            subscription.rhythm = Subscription.Rhythm.DAILY if programme else rhythm
            subscription.save(update_fields=["created", "rhythm"])
        subject, text, html = mails.confirmation(subscription, already_confirmed=already)
        Delivery.objects.create(
            subscription=subscription,
            kind=Delivery.Kind.CONFIRMATION,
            subject=subject,
            text=text,
            html=html,
            created=now,
            next_attempt=now,
        )


def confirm(subscription: Subscription, now: datetime) -> None:
    """Confirmed: the first digest covers what happens from now on."""
    if subscription.confirmed is None:
        subscription.confirmed = subscription.covered_until = now
        subscription.due = next_due(subscription.rhythm, now)
        subscription.save(update_fields=["confirmed", "covered_until", "due"])


def set_paused(subscription: Subscription, paused: bool, now: datetime) -> None:
    """A paused subscription sends nothing; resumed, it reports from now, not the pause."""
    subscription.paused = paused
    if not paused:
        subscription.covered_until = now
        subscription.due = next_due(subscription.rhythm, now)
    subscription.save(update_fields=["paused", "covered_until", "due"])


def forget_address(email: str) -> int:
    """Delete every subscription of the address, its mails and its request counter."""
    with transaction.atomic():
        Attempt.objects.filter(kind=Attempt.Kind.ADDRESS, digest=_keyed(email)).delete()
        deleted, _by_model = Subscription.objects.filter(email=email).delete()
    return deleted


def _count(kind: str, value: str, now: datetime, window: timedelta, limit: int) -> bool:
    """Record one attempt unless `limit` were made within `window`; serialised per value."""
    digest = _keyed(value)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"alerts.{digest}"])
        if Attempt.objects.filter(kind=kind, digest=digest, at__gt=now - window).count() >= limit:
            return False
        Attempt.objects.create(kind=kind, digest=digest, at=now)
    return True


def _keyed(value: str) -> str:
    return salted_hmac("alerts.attempt", value.strip().lower(), algorithm="sha256").hexdigest()
