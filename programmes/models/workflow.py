from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from programmes.models.programme import Programme


class PublicationStep(models.Model):
    """One move of a programme between publication states: who, when, why. Written only by
    programmes.workflow, never edited."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("Programm"),
        on_delete=models.CASCADE,
        related_name="publication_steps",
    )
    from_state = models.CharField(
        _("von"), max_length=12, choices=Programme.Publication.choices, blank=True
    )
    to_state = models.CharField(_("nach"), max_length=12, choices=Programme.Publication.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("durch"),
        null=True,  # the scheduled job acts on its own
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("am"))
    note = models.TextField(_("Anmerkung"), blank=True)

    class Meta:
        verbose_name = _("Veröffentlichungsschritt")
        verbose_name_plural = _("Veröffentlichungsschritte")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["programme", "-at"], name="step_programme_at")]

    def __str__(self):
        return f"{self.get_from_state_display() or '–'} → {self.get_to_state_display()}"
