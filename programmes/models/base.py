from django.db import models
from django.utils.translation import gettext_lazy as _


class SlugNaturalKeyManager(models.Manager):
    """Fixtures refer to catalogue entries by slug, not by database id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class NamedEntry(models.Model):
    """A small vocabulary entry (topic, target group, funding type) with a readable address."""

    name = models.CharField(_("Name"), max_length=150, unique=True)
    slug = models.SlugField(_("Kurzadresse"), max_length=150, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Level(models.TextChoices):
    EU = "eu", _("EU")
    BUND = "bund", _("Bund")
    LAND = "land", _("Land")
    KOMMUNE = "kommune", _("Kommune")
    ZIVILGESELLSCHAFT = "zivilgesellschaft", _("Zivilgesellschaft")


class Timestamped(models.Model):
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated = models.DateTimeField(_("zuletzt aktualisiert"), auto_now=True)

    class Meta:
        abstract = True
