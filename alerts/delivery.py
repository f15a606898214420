"""Hand waiting mails to the SMTP server, a batch per connection, each marked sent in the
transaction that locked it.

When the server cannot be reached or answers with a temporary error, every waiting mail waits
longer (1, 2, 4 … minutes, at most BACKOFF_CAP) and nothing is dropped. A permanent refusal of
the address (5xx) ends that mail's attempts. The mark follows the server's acceptance at once;
only a crash in that instant sends a mail again, with the same Message-ID.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Max

from alerts.mails import message
from alerts.models import Delivery

BATCH = 200
BACKOFF_CAP = timedelta(hours=6)
logger = logging.getLogger(__name__)


@dataclass
class Delivered:
    sent: int = 0
    refused: int = 0
    server_down: bool = False


def waiting(now: datetime):
    return Delivery.objects.filter(sent__isnull=True, failed=False, next_attempt__lte=now)


def deliver_waiting(now: datetime) -> Delivered:
    """Send what is waiting, until nothing is left or the server fails."""
    result = Delivered()
    while not result.server_down:
        ids = list(waiting(now).order_by("next_attempt", "pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        connection = get_connection()  # one SMTP session per batch
        try:
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            _back_off(now, result, type(error).__name__)
            break
        try:
            for pk in ids:
                if not _deliver_one(pk, connection, now, result):
                    break
        finally:
            connection.close()
    return result


def _deliver_one(pk: int, connection, now: datetime, result: Delivered) -> bool:
    """Send one mail and mark it; False when the server failed (the run stops)."""
    with transaction.atomic():
        delivery = (
            waiting(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__programme")
            .filter(pk=pk)
            .first()
        )
        if delivery is None:  # sent by a parallel run meanwhile
            return True
        try:
            message(delivery, connection).send()
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _text in refused.recipients.values()]
            if not all(500 <= code < 600 for code in codes):
                return _back_off(now, result, f"SMTP {codes}")
            _finish(delivery, now, failed=True)
            result.refused += 1
            logger.warning("Mail %s refused for good (SMTP %s).", delivery.pk, codes)
            return True
        except (smtplib.SMTPException, OSError) as error:
            return _back_off(now, result, type(error).__name__)
        _finish(delivery, now)
        result.sent += 1
        return True


def _finish(delivery: Delivery, now: datetime, failed: bool = False) -> None:
    """Sent (or refused): the mail's text is no longer kept, only that it went out."""
    delivery.sent, delivery.failed = (None, True) if failed else (now, False)
    delivery.subject = delivery.text = delivery.html = ""
    delivery.attempts += 1
    delivery.save(update_fields=["sent", "failed", "subject", "text", "html", "attempts"])


def _back_off(now: datetime, result: Delivered, reason: str) -> bool:
    """The server is down or busy: every waiting mail waits, longer after each failure.
    Neither the reason nor the log names an address (smtplib's messages may)."""
    tried = waiting(now).aggregate(most=Max("attempts"))["most"] or 0
    delay = min(timedelta(minutes=2 ** min(tried, 10)), BACKOFF_CAP)
    count = waiting(now).update(attempts=F("attempts") + 1, next_attempt=now + delay)
    result.server_down = True
    logger.warning(
        "SMTP server unavailable (%s): %d mails wait %d minutes.",
        reason,
        count,
        delay.total_seconds() // 60,
    )
    return False
