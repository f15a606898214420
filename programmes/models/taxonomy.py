from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programmes.models.base import Level, NamedEntry, SlugNaturalKeyManager


class Topic(NamedEntry):
    class Meta(NamedEntry.Meta):
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")

    def get_absolute_url(self):
        return reverse("programmes:topic-detail", kwargs={"slug": self.slug})


class TargetGroup(NamedEntry):
    class Meta(NamedEntry.Meta):
        verbose_name = _("Zielgruppe")
        verbose_name_plural = _("Zielgruppen")


class FundingType(NamedEntry):
    class Meta(NamedEntry.Meta):
        verbose_name = _("Förderart")
        verbose_name_plural = _("Förderarten")


class FundingBody(models.Model):
    name = models.CharField(_("Name"), max_length=250, unique=True)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    slug = models.SlugField(_("Kurzadresse"), max_length=150, unique=True)
    level = models.CharField(_("Ebene"), max_length=20, choices=Level.choices)
    url = models.URLField(_("Website"), blank=True)
    former_names = models.CharField(
        _("frühere Namen"),
        max_length=500,
        blank=True,
        help_text=_(
            "Wie die Stelle früher hieß, mit Jahr des Wechsels, z. B. „bis 2025: "
            "Bundesministerium für Bildung und Forschung (BMBF)“. Die Suche findet beide Namen."
        ),
    )

    objects = SlugNaturalKeyManager()

    class Meta:
        verbose_name = _("Fördergeber")
        verbose_name_plural = _("Fördergeber")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    def natural_key(self):
        return (self.slug,)
