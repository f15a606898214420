"""Carry out scheduled publications and withdrawals that are due; the job runner does the same
every minute (programmes.tasks)."""

from django.core.management.base import BaseCommand

from programmes.workflow import carry_out_schedule


class Command(BaseCommand):
    help = "Veröffentlicht und zieht zurück, was bis jetzt geplant ist."

    def handle(self, *args, **options):
        result = carry_out_schedule()
        for programme in result.published:
            self.stdout.write(f"veröffentlicht: {programme.title}")
        for programme in result.withdrawn:
            self.stdout.write(f"zurückgezogen: {programme.title}")
        for programme, missing in result.held_back:
            self.stderr.write(
                f"nicht veröffentlicht: {programme.title} – es fehlt {', '.join(missing)}"
            )
