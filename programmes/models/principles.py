"""Guiding principles: a Leitbild → areas (Bereiche) → numbered principles (Leitsätze) →
concrete measures (Umsetzungsvorschläge)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programmes.models.base import SlugNaturalKeyManager, Timestamped


class Framework(Timestamped):
    title = models.CharField(_("Titel"), max_length=250)
    slug = models.SlugField(_("Kurzadresse"), max_length=150, unique=True)
    issuer = models.CharField(_("Herausgeber"), max_length=250, blank=True)
    summary = models.TextField(_("Zusammenfassung"))
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    sources = GenericRelation("programmes.Source")

    objects = SlugNaturalKeyManager()

    class Meta:
        verbose_name = _("Leitbild")
        verbose_name_plural = _("Leitbilder")
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("programmes:principle-list") + f"#{self.slug}"


class PrincipleAreaManager(models.Manager):
    def get_by_natural_key(self, framework_slug, slug):
        return self.get(framework__slug=framework_slug, slug=slug)


class PrincipleArea(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("Leitbild"), on_delete=models.CASCADE, related_name="areas"
    )
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzadresse"), max_length=150)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    objects = PrincipleAreaManager()

    class Meta:
        verbose_name = _("Bereich")
        verbose_name_plural = _("Bereiche")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "slug"], name="area_unique_slug")
        ]

    def __str__(self):
        return f"{self.framework}: {self.title}"

    def natural_key(self):
        return (self.framework.slug, self.slug)

    natural_key.dependencies = ["programmes.framework"]


class GuidingPrinciple(Timestamped):
    framework = models.ForeignKey(
        Framework, verbose_name=_("Leitbild"), on_delete=models.PROTECT, related_name="principles"
    )
    area = models.ForeignKey(
        PrincipleArea,
        verbose_name=_("Bereich"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="principles",
    )
    number = models.PositiveSmallIntegerField(_("Nummer"))
    title = models.CharField(_("Leitsatz"), max_length=300)
    slug = models.SlugField(_("Kurzadresse"), max_length=150, unique=True)
    text = models.TextField(_("Erläuterung"), blank=True)
    sources = GenericRelation("programmes.Source")

    objects = SlugNaturalKeyManager()

    class Meta:
        verbose_name = _("Leitsatz")
        verbose_name_plural = _("Leitsätze")
        ordering = ["framework__position", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="principle_unique_number_per_framework"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("programmes:principle-detail", kwargs={"slug": self.slug})

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.area_id and self.framework_id and self.area.framework_id != self.framework_id:
            raise ValidationError({"area": _("Der Bereich gehört zu einem anderen Leitbild.")})


class GoalManager(models.Manager):
    def get_by_natural_key(self, principle_slug, position):
        return self.get(principle__slug=principle_slug, position=position)


class Goal(models.Model):
    """A goal within a Leitsatz, as the Leitbild states it; its proposals follow it (some goals
    have none). The Leitbild's structure: area → Leitsatz → goal → proposals."""

    principle = models.ForeignKey(
        GuidingPrinciple,
        verbose_name=_("Leitsatz"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    text = models.TextField(_("Ziel"))
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    objects = GoalManager()

    class Meta:
        verbose_name = _("Ziel")
        verbose_name_plural = _("Ziele")
        ordering = ["principle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["principle", "position"], name="goal_unique_position")
        ]

    def __str__(self):
        return self.text[:80]

    def natural_key(self):
        return (self.principle.slug, self.position)

    natural_key.dependencies = ["programmes.guidingprinciple"]


class Measure(models.Model):
    principle = models.ForeignKey(
        GuidingPrinciple,
        verbose_name=_("Leitsatz"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("Ziel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
        help_text=_("Das Ziel, unter dem das Leitbild den Vorschlag nennt."),
    )
    text = models.TextField(_("Umsetzungsvorschlag"))
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Umsetzungsvorschlag")
        verbose_name_plural = _("Umsetzungsvorschläge")
        ordering = ["principle", "position", "pk"]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.goal_id and self.principle_id and self.goal.principle_id != self.principle_id:
            raise ValidationError({"goal": _("Das Ziel gehört zu einem anderen Leitsatz.")})
