from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CatalogueVersion(models.Model):
    """One row: a number that changes with every write to a table the public pages show.

    Database triggers (core migration 0001, attached by each app's WatchTables operation) set it
    from a sequence on every INSERT, UPDATE, DELETE or TRUNCATE of those tables, in the writing
    transaction: an edit in the admin, an import, a bulk COPY or a raw UPDATE all count, and the
    new number becomes visible together with the data it describes. Cached pages and counts
    are keyed by it (core.cache).
    """

    number = models.BigIntegerField(_("Nummer"))
    changed = models.DateTimeField(_("geändert"), default=timezone.now)

    class Meta:
        verbose_name = _("Katalogstand")
        verbose_name_plural = _("Katalogstände")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="catalogue_one_row")]

    def __str__(self):
        return f"{self.number} ({self.changed:%Y-%m-%d %H:%M:%S})"


class LinkCheckQuerySet(models.QuerySet):
    def failed(self):
        """Addresses that did not answer or answered with an error at their last check."""
        return self.filter(status__in=FAILED)

    def moved(self):
        """Addresses that answer, but moved for good: the check proposes the new one."""
        return self.exclude(proposed_url="")


class LinkCheck(models.Model):
    """The last check of one web address (core.link_check), whoever cites it."""

    class Status(models.TextChoices):
        OK = "ok", _("erreichbar")
        REDIRECT = "redirect", _("umgeleitet")
        BROKEN = "broken", _("defekt")
        ERROR = "error", _("keine Antwort")

    url = models.URLField(_("Adresse"), max_length=500, unique=True)
    status = models.CharField(_("Ergebnis"), max_length=10, choices=Status.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP-Status"), null=True, blank=True)
    final_url = models.URLField(_("Ziel"), max_length=2000, blank=True)
    proposed_url = models.URLField(
        _("neue Adresse (Vorschlag)"),
        max_length=2000,
        blank=True,
        help_text=_("Die Seite ist dauerhaft umgezogen (301/308); diese Adresse eintragen."),
    )
    redirects = models.JSONField(
        _("Umleitungen"),
        default=list,
        blank=True,
        help_text=_("Jede Umleitung mit Status und Ziel, der Reihe nach."),
    )
    error = models.TextField(_("Fehler"), blank=True)
    checked_at = models.DateTimeField(_("geprüft am"))
    failing_since = models.DateTimeField(_("fehlerhaft seit"), null=True, blank=True)

    objects = LinkCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("Linkprüfung")
        verbose_name_plural = _("Linkprüfungen")
        ordering = ["url"]

    def __str__(self):
        return self.url

    @property
    def failed(self) -> bool:
        return self.status in FAILED


FAILED = (LinkCheck.Status.BROKEN, LinkCheck.Status.ERROR)
