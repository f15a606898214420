"""Synthetic programmes for load tests: `manage.py generate_catalogue --programmes 100000`.

    manage.py generate_catalogue --programmes 100000 [--seed 1] [--today 2026-11-21] [--force]
    manage.py generate_catalogue --remove

The generator itself lives in `programmes.synthetic`. Its programmes are mostly published, and
writing them locks the live tables, so with DEBUG off (a production database) it refuses to run
unless --force is given, and it always says first what it will do.
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programmes.synthetic import generate_catalogue, remove_synthetic
from programmes.synthetic.generator import PUBLICATION


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
        parser.add_argument(
            "--force", action="store_true", help="auch mit DEBUG=0 (Produktionsdatenbank) erzeugen"
        )

    def handle(self, *args, programmes, seed, today, remove, force, **options):
        if remove:
            removed = remove_synthetic()
            self.stdout.write(f"{removed} synthetische Programme entfernt.")
            return
        if programmes < 1:
            raise CommandError("--programmes muss mindestens 1 sein.")
        self.stdout.write(plan(programmes, seed))
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG ist aus: das sieht nach einer Produktionsdatenbank aus. Nichts erzeugt; "
                "mit --force trotzdem ausführen."
            )
        try:
            report = generate_catalogue(count=programmes, seed=seed, today=today)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.programmes} synthetische Programme mit {report.child_rows} Zeilen "
            f"(Themen, Zielgruppen, Fristen, Links, Teilnahmen) in {report.seconds:.1f} s erzeugt."
        )


def plan(count: int, seed: int) -> str:
    """What the command is about to do, before it does it."""
    published = PUBLICATION["published"] * 100 // sum(PUBLICATION.values())
    seconds = max(1, round(count * 40 / 100_000))
    number = f"{count:,}".replace(",", ".")
    return (
        f"Erzeugt {number} synthetische Programme (Startwert {seed}) mit Themen, Zielgruppen, "
        f"Fristen, Links und Teilnahmen. Etwa {published} % davon sind veröffentlicht und "
        "erscheinen auf den öffentlichen Seiten, in der API und in den Exporten.\n"
        "Dafür werden die Fremdschlüssel der Programmtabelle und ihrer Zwischentabellen "
        "entfernt und am Ende wieder angelegt; bis dahin sind diese Tabellen exklusiv gesperrt "
        f"(geschätzt {seconds} s), Seiten mit Programmen warten so lange.\n"
        "Entfernen: manage.py generate_catalogue --remove"
    )
