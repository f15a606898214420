"""Create a one-time enrolment code for a staff account without an authenticator and print it.

The person needs it, after the password, to set up the second factor on the 2FA page. The code
is printed once and stored only hashed: it should reach the account's owner in person or by a
channel other than the one the password travelled on.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.enrolment import issue
from portal.management.accounts import staff_account
from portal.models import VALID_FOR, EnrolmentCode


class Command(BaseCommand):
    help = "Erzeugt einen einmaligen Einrichtungscode für den zweiten Faktor eines Kontos."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--hours",
            type=int,
            default=int(VALID_FOR.total_seconds() // 3600),
            help="Gültigkeit in Stunden (Standard: %(default)s).",
        )

    def handle(self, *args, username, hours, **options):
        if hours < 1:
            raise CommandError("--hours muss mindestens 1 sein.")
        user = staff_account(username)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise CommandError(
                f"„{username}“ hat bereits einen Authenticator. Für ein neues Telefon das alte "
                "Gerät in der Administration löschen (oder `create_totp_device --replace`)."
            )
        entry = EnrolmentCode(user=user, expires=timezone.now() + timedelta(hours=hours))
        code = issue(entry)
        until = date_format(timezone.localtime(entry.expires), "DATETIME_FORMAT")
        self.stdout.write(self.style.SUCCESS(f"Einrichtungscode für „{username}“: {code}"))
        self.stdout.write(f"  Gültig bis {until}, einmal; ein früherer Code gilt nicht mehr.")
        self.stdout.write("  Der Code wird nur jetzt angezeigt: nur an die Kontoinhaberin geben.")
