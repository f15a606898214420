"""`manage.py check_links`: check every address the catalogue shows or cites and keep each
result (programmes.link_status, core.link_check). Runs weekly through the job runner
(programmes.tasks); from the command line for a check now."""

from django.core.management.base import BaseCommand, CommandParser

from core.link_check import Limits
from core.models import LinkCheck
from programmes.link_status import check_catalogue_links


class Command(BaseCommand):
    help = "Prüft alle offiziellen Links und Quellenadressen des Katalogs."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Limits()
        parser.add_argument(
            "--concurrency", type=int, default=defaults.concurrency, help="Anfragen zugleich"
        )
        parser.add_argument(
            "--per-host", type=int, default=defaults.per_host, help="Anfragen je Server zugleich"
        )
        parser.add_argument(
            "--timeout", type=float, default=defaults.timeout, help="Sekunden bis zur Antwort"
        )

    def handle(self, *args, concurrency, per_host, timeout, **options):
        limits = Limits(concurrency=max(1, concurrency), per_host=max(1, per_host), timeout=timeout)
        counts = check_catalogue_links(limits)
        summary = ", ".join(
            f"{counts[status]} {label}" for status, label in LinkCheck.Status.choices
        )
        self.stdout.write(f"{counts.total()} Adressen geprüft: {summary}.")
