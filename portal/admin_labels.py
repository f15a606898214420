"""Plain German names for the third-party parts of the admin that administrators see: the login
lock (django-axes), the second factor (django-otp) and the job runner (procrastinate). Editors
never see them (setup_roles gives them no rights there). Only the labels change, so no
migration follows."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

PLAIN_NAMES = {
    "axes": (
        _("Anmeldesperren"),
        {
            "accessattempt": (_("Fehlversuch beim Anmelden"), _("Fehlversuche beim Anmelden")),
            "accesslog": (_("Anmeldung (Protokoll)"), _("Anmeldungen (Protokoll)")),
            "accessfailurelog": (
                _("gescheiterte Anmeldung (Protokoll)"),
                _("gescheiterte Anmeldungen (Protokoll)"),
            ),
        },
    ),
    "otp_totp": (
        _("Zweiter Faktor beim Anmelden"),
        {"totpdevice": (_("Authenticator-App"), _("Authenticator-Apps"))},
    ),
    "procrastinate": (
        _("Hintergrundaufträge"),
        {"procrastinatejob": (_("Hintergrundauftrag"), _("Hintergrundaufträge"))},
    ),
}


def rename_third_party_apps() -> None:
    for label, (name, models) in PLAIN_NAMES.items():
        config = apps.get_app_config(label)
        config.verbose_name = name
        for model_name, (singular, plural) in models.items():
            opts = config.get_model(model_name)._meta
            opts.verbose_name, opts.verbose_name_plural = singular, plural
