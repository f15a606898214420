from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """Where a fact in the catalogue comes from: a document or an official page, and when it
    was read. Programmes and guiding principles both carry sources."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("Titel"), max_length=300)
    url = models.URLField(_("Adresse"), max_length=500, blank=True)
    accessed = models.DateField(_("abgerufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Quelle")
        verbose_name_plural = _("Quellen")
        ordering = ["pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.title
