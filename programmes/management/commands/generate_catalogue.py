"""Synthetic programmes for load tests: `manage.py generate_catalogue --programmes 100000`.

    manage.py generate_catalogue --programmes 100000 [--seed 1] [--today 2026-11-21]
    manage.py generate_catalogue --remove

The generator itself lives in `programmes.synthetic`.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from programmes.synthetic import generate_catalogue, remove_synthetic


class Command(BaseCommand):
    help = (
        "Erzeugt synthetische Programme aus dem Wortschatz des Katalogs (für Lasttests) oder "
        "entfernt sie wieder (--remove)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--programmes", type=int, default=100_000, metavar="N")
        parser.add_argument("--seed", type=int, default=1, help="Startwert des Zufalls")
        parser.add_argument(
            "--today", type=date.fromisoformat, metavar="JJJJ-MM-TT",
            help="Stichtag, zu dem Fristen und Status berechnet werden (Standard: heute)",
        )  # fmt: skip
        parser.add_argument(
            "--remove", action="store_true", help="alle synthetischen Programme löschen"
        )

    def handle(self, *args, programmes, seed, today, remove, **options):
        if remove:
            removed = remove_synthetic()
            self.stdout.write(f"{removed} synthetische Programme entfernt.")
            return
        if programmes < 1:
            raise CommandError("--programmes muss mindestens 1 sein.")
        try:
            report = generate_catalogue(count=programmes, seed=seed, today=today)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.programmes} synthetische Programme mit {report.child_rows} Zeilen "
            f"(Themen, Zielgruppen, Fristen, Links, Teilnahmen) in {report.seconds:.1f} s erzeugt."
        )
