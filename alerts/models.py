"""E-mail alerts without an account: what is watched, the mails waiting and sent, the counters
that keep the form from being abused.

A subscription watches either a list (its query string, as the programme list takes it) or one
programme. ``covered_until`` is the mark: the end of the period the last mail covered. A mail
is composed and stored (``Delivery``) in the same transaction that moves the mark, so a crash
never composes a period twice and never skips one; delivery then retries until the SMTP server
takes it.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_REMINDER_DAYS = [14, 3]


def default_reminder_days():
    return list(DEFAULT_REMINDER_DAYS)


class Subscription(models.Model):
    class Rhythm(models.TextChoices):
        DAILY = "daily", _("täglich")
        WEEKLY = "weekly", _("wöchentlich")

    email = models.EmailField(_("E-Mail-Adresse"))
    query = models.TextField(_("Filter der Liste"), blank=True)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("Programm"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # nothing left to watch: nothing left to store
        related_name="+",
    )
    rhythm = models.CharField(
        _("Rhythmus"), max_length=10, choices=Rhythm.choices, default=Rhythm.WEEKLY
    )
    reminder_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("Erinnerung Tage vor der Frist"),
        default=default_reminder_days,
        blank=True,
    )
    created = models.DateTimeField(_("angefragt"), default=timezone.now)
    confirmed = models.DateTimeField(_("bestätigt"), null=True, blank=True)
    paused = models.BooleanField(_("pausiert"), default=False)
    covered_until = models.DateTimeField(_("berichtet bis"), null=True, blank=True)
    due = models.DateTimeField(_("nächste Mail fällig"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "query", "programme"],
                nulls_distinct=False,
                name="subscription_unique_per_address",
            ),
            models.CheckConstraint(
                condition=Q(programme__isnull=True) | Q(query=""),
                name="subscription_list_or_programme",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due"],
                condition=Q(confirmed__isnull=False, paused=False),
                name="subscription_due",
            ),
            models.Index(
                fields=["created"], condition=Q(confirmed__isnull=True), name="subscription_open"
            ),
        ]

    def __str__(self):
        return f"Benachrichtigung {self.pk}"  # never the address: this may end up in a log


class Delivery(models.Model):
    """One mail: waiting (``sent`` empty) until the SMTP server accepted it, then kept without
    its text as the sent log until it is pruned."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Bestätigung")
        DIGEST = "digest", _("Neuigkeiten")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # For a digest: the mark it was composed for; a period is never composed twice.
    covered_until = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    sent = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)  # refused for good (e.g. the address)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("E-Mail")
        verbose_name_plural = _("E-Mails")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "covered_until"], name="delivery_once_per_period"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt"],
                condition=Q(sent__isnull=True, failed=False),
                name="delivery_waiting",
            ),
            models.Index(fields=["created"], name="delivery_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"


class Attempt(models.Model):
    """A request to subscribe, counted per address and per client for a day. Both are kept only
    as keyed hashes (HMAC with SECRET_KEY): the counter stores no address."""

    class Kind(models.TextChoices):
        ADDRESS = "address"
        CLIENT = "client"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest", "at"], name="attempt_lookup")]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
