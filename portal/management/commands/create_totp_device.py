"""Create a TOTP authenticator for a staff account and print its provisioning URI (and a QR code
for the terminal), e.g. for the development account or to reset a lost phone.

The URI contains the secret: it is printed once and should reach only the account's owner.
"""

import io

import qrcode
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.management.accounts import staff_account
from portal.two_factor import DEVICE_NAME


class Command(BaseCommand):
    help = "Legt für ein Redaktionskonto einen TOTP-Authenticator an und zeigt die otpauth-URI."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Vorhandene Authenticatoren des Kontos ersetzen (verlorenes Telefon).",
        )
        parser.add_argument("--no-qr", action="store_true", help="Keinen QR-Code ausgeben.")

    @transaction.atomic
    def handle(self, *args, username, replace, no_qr, **options):
        user = staff_account(username)
        existing = TOTPDevice.objects.filter(user=user)
        if existing.filter(confirmed=True).exists() and not replace:
            raise CommandError(
                f"„{username}“ hat bereits einen Authenticator; mit --replace ersetzen."
            )
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        self.stdout.write(self.style.SUCCESS(f"Authenticator für „{username}“ angelegt."))
        self.stdout.write(f"  URI: {device.config_url}")
        if not no_qr:
            code = qrcode.QRCode(border=2)
            code.add_data(device.config_url)
            out = io.StringIO()
            code.print_ascii(out=out, invert=True)
            self.stdout.write(out.getvalue())
        self.stdout.write("  Die URI enthält das Geheimnis: nur an die Kontoinhaberin geben.")
