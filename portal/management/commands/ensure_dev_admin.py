"""Development only: make sure a local superuser "admin" exists, so `make run` ends with a
working login. A new account gets a random password, printed once; it is never stored or
shown again. With DEBUG off the command refuses: production accounts are created by hand.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

USERNAME = "admin"


class Command(BaseCommand):
    help = "Legt in der Entwicklung (DEBUG an) den Superuser „admin“ mit Zufallspasswort an."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_dev_admin läuft nur in der Entwicklung (DEBUG an). In Produktion "
                "ein Konto mit `manage.py createsuperuser` anlegen."
            )
        login_url = settings.SITE_URL + reverse("admin:login")
        User = get_user_model()
        if User.objects.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Konto „{USERNAME}“ besteht bereits; Anmeldung unter {login_url} "
                f"(Passwort ändern: `manage.py changepassword {USERNAME}`)."
            )
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=USERNAME, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(f"Entwicklungs-Konto „{USERNAME}“ angelegt.") + "\n"
            f"  Anmeldung: {login_url}\n"
            f"  Benutzer:  {USERNAME}\n"
            f"  Passwort:  {password}\n"
            "  Das Passwort wird nur dieses eine Mal angezeigt."
        )
