from django.core.management import BaseCommand
from django.utils import timezone

from alerts.sending import send_alerts


class Command(BaseCommand):
    help = (
        "Verschickt fällige E-Mail-Benachrichtigungen und wartende Mails (auch per cron nutzbar)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Jede bestätigte, nicht pausierte Benachrichtigung gilt als fällig.",
        )

    def handle(self, *args, now, **options):
        run = send_alerts(timezone.now(), every=now)
        delivered = run.delivered
        self.stdout.write(
            f"{run.composed} Mails zusammengestellt, {delivered.sent} verschickt, "
            f"{delivered.refused} abgewiesen"
            + (", SMTP-Server nicht erreichbar: Mails warten." if delivered.server_down else ".")
        )
