from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from municipalities.management.progress import run_import
from municipalities.register import RegisterError, import_register, population_date_from_notes


class Command(BaseCommand):
    help = (
        "Liest das Gemeindeverzeichnis von Destatis (GV100AD, Festformat) und legt Länder, "
        "Regierungsbezirke, Kreise und Gemeinden an oder aktualisiert sie. Gemeinden, die im "
        "Verzeichnis fehlen, werden deaktiviert, nie gelöscht."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="GV100AD_<Gebietsstand>.txt (entpackt)")
        parser.add_argument(
            "--land", help="nur dieses Land, zweistelliger Schlüssel (05 = Nordrhein-Westfalen)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="nur berichten, nichts speichern"
        )
        parser.add_argument(
            "--population-date", type=date.fromisoformat, metavar="JJJJ-MM-TT",
            help="Stichtag der Einwohnerzahlen; sonst aus GV100AD_…_Hinweise.txt daneben",
        )  # fmt: skip

    def handle(self, *args, path, land, dry_run, population_date, verbosity, **options):
        if land is None:
            self.stderr.write(
                self.style.WARNING(
                    "Ohne --land wird jedes Land der Datei importiert, bei der Gesamtausgabe "
                    "ganz Deutschland (rund 11.000 Einträge). Für Nordrhein-Westfalen allein: "
                    "--land 05."
                )
            )
        population_date = population_date or population_date_from_notes(path)
        report = run_import(
            import_register, path, errors=RegisterError, stderr=self.stderr,
            land=land, population_date=population_date, dry_run=dry_run,
        )  # fmt: skip

        write = self.stdout.write
        if verbosity >= 2:
            for key, name in report.created:
                write(f"neu: {key} {name}")
        if verbosity >= 1:
            for change in report.updated:
                write(f"geändert: {change}")
            for key, name in report.deactivated:
                write(self.style.WARNING(f"nicht mehr im Verzeichnis, deaktiviert: {key} {name}"))
            for warning in report.warnings:
                write(self.style.WARNING(f"Warnung: {warning}"))
        write(
            f"Gemeindeverzeichnis, Gebietsstand {report.territory_date:%d.%m.%Y}, Einwohner "
            f"zum {report.population_date:%d.%m.%Y}, Land {', '.join(report.lands)}"
        )
        counted = ", ".join(f"{count} {what}" for what, count in report.skipped.items() if count)
        if counted:
            write(f"Zur Information: {counted} gelesen; sie haben im Portal keine eigene Seite.")
        summary = (
            f"{len(report.created)} neu, {len(report.updated)} geändert, "
            f"{report.unchanged} unverändert, {len(report.deactivated)} deaktiviert, "
            f"{len(report.warnings)} {'Warnung' if len(report.warnings) == 1 else 'Warnungen'}"
        )
        if dry_run:
            write(self.style.WARNING(f"Probelauf, nichts gespeichert: {summary}"))
        else:
            write(self.style.SUCCESS(summary))
