from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VALID_FOR = timedelta(hours=72)


def default_expiry():
    return timezone.now() + VALID_FOR


class EnrolmentCode(models.Model):
    """A one-time code from an administrator that lets one staff account set up its first
    authenticator (portal/enrolment.py): the password alone must not be enough to claim an
    account that has no second factor yet. Stored hashed like a password; a new code replaces
    the account's earlier one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
        verbose_name=_("Konto"),
    )
    code_hash = models.CharField(_("Code (gehasht)"), max_length=128, editable=False)
    created = models.DateTimeField(_("erstellt"), default=timezone.now, editable=False)
    expires = models.DateTimeField(_("gültig bis"), default=default_expiry)
    used = models.DateTimeField(_("verwendet"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("erstellt von"),
    )

    class Meta:
        verbose_name = _("Einrichtungscode")
        verbose_name_plural = _("Einrichtungscodes")

    def __str__(self):
        return str(self.user)
