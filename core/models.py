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
