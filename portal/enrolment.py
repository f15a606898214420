"""One-time enrolment codes: what an account needs besides its password to set up its first
authenticator.

Without one, whoever guessed an editor's password could enrol their own phone and keep the
account. An administrator creates a code (``manage.py create_enrolment_code <name>`` or the
admin) and hands it over in person; it is stored hashed, expires and works once. A refused code
counts as a failed login (django-axes), so guessing codes ends in the same lockout as guessing
passwords.
"""

import secrets

from axes.helpers import get_credentials
from django import forms
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import EnrolmentCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to mix up
GROUPS = 4  # of four characters: 16 × 5 = 80 random bits
SESSION_KEY = "two_factor_enrolment"

WRONG = _(
    "Dieser Einrichtungscode stimmt nicht. Bitte prüfen Sie die Eingabe oder fordern Sie bei "
    "der Administration einen neuen an."
)
USED = _(
    "Dieser Einrichtungscode wurde bereits verwendet. Bitte fordern Sie bei der Administration "
    "einen neuen an."
)
EXPIRED = _(
    "Dieser Einrichtungscode ist abgelaufen. Bitte fordern Sie bei der Administration einen "
    "neuen an."
)


def normalise(text: str) -> str:
    return "".join(text.split()).replace("-", "").upper()


def issue(entry: EnrolmentCode) -> str:
    """Save the entry with a new code, replacing the account's earlier codes; returns the code,
    which exists nowhere else and cannot be shown again."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * 4))
    entry.code_hash = make_password(raw)
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=entry.user).exclude(pk=entry.pk).delete()
        entry.save()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def redeem(user, text: str) -> None:
    """Use up the account's code, or raise ValidationError saying why it is refused."""
    with transaction.atomic():
        entry = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        if entry is None or not check_password(normalise(text), entry.code_hash):
            raise forms.ValidationError(WRONG, code="wrong")
        if entry.used:
            raise forms.ValidationError(USED, code="used")
        if entry.expires <= timezone.now():
            raise forms.ValidationError(EXPIRED, code="expired")
        entry.used = timezone.now()
        entry.save(update_fields=["used"])


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Einrichtungscode"),
        max_length=40,
        help_text=_("Der Code von der Administration, z. B. ABCD-EFGH-JKLM-NPQR."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_code(self):
        user = self.request.user
        try:
            redeem(user, self.cleaned_data["code"])
        except forms.ValidationError:
            credentials = get_credentials(user.get_username())
            user_login_failed.send(__name__, credentials=credentials, request=self.request)
            raise
        return self.cleaned_data["code"]


def allow_setup(request) -> None:
    request.session[SESSION_KEY] = request.user.pk


def setup_allowed(request) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


def setup_done(request) -> None:
    request.session.pop(SESSION_KEY, None)
