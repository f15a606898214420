"""Background work of the alerts, run by procrastinate's worker."""

from contextlib import suppress

from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from alerts.delivery import deliver_waiting
from alerts.sending import send_alerts as send_due


@app.periodic(cron="*/5 * * * *")
@app.task(queue="alerts", queueing_lock="alerts.send", lock="alerts", pass_context=False)
def send_alerts(timestamp: int) -> None:
    """Every five minutes: compose the digests that are due, deliver what waits, prune."""
    send_due(timezone.now())


@app.task(queue="alerts", queueing_lock="alerts.deliver", lock="alerts")
def deliver() -> None:
    """Right after a request to subscribe: its confirmation mail should not wait five minutes.
    A failure needs no retry here: the mail waits with backoff for the periodic run."""
    deliver_waiting(timezone.now())


def deliver_soon() -> None:
    # One waiting job sends every mail waiting by then. The savepoint keeps the refused insert
    # from aborting a transaction around this call.
    with suppress(AlreadyEnqueued), transaction.atomic():
        deliver.defer()
