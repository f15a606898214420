from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class SynonymGroup(models.Model):
    """Words and phrases that mean the same to people searching (Bürgerhaus, Bürgerzentrum,
    Gemeinschaftshaus). A search for any of them also finds the others; editors keep the list."""

    terms = models.TextField(
        _("Begriffe"),
        help_text=_(
            "Gleichbedeutende Wörter oder Wendungen, durch Komma getrennt, z. B. "
            "„Bürgerhaus, Bürgerzentrum, Gemeinschaftshaus“."
        ),
    )
    note = models.CharField(_("Anmerkung"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Synonymgruppe")
        verbose_name_plural = _("Synonymgruppen")
        ordering = ["terms"]

    def __str__(self):
        return ", ".join(self.term_list())

    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.split(",") if term.strip()]

    def clean(self):
        if len(self.term_list()) < 2:
            raise ValidationError(
                {"terms": _("Eine Gruppe braucht mindestens zwei Begriffe, durch Komma getrennt.")}
            )
