from pathlib import Path

from django.core.management.base import BaseCommand

from municipalities.boundaries import (
    DEFAULT_PRECISION,
    DEFAULT_TOLERANCE,
    BoundaryError,
    import_boundaries,
)
from municipalities.management.progress import run_import


class Command(BaseCommand):
    help = (
        "Liest Gemeinde-, Kreis-, Bezirks- oder Landesgrenzen aus GeoJSON (WGS84, Eigenschaft "
        "AGS, z. B. BKG VG250/VG5000) und speichert je Kommune einen vereinfachten Umriss."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="GeoJSON-FeatureCollection, eine Ebene")
        parser.add_argument(
            "--tolerance", type=float, default=DEFAULT_TOLERANCE,
            help=f"Douglas–Peucker-Toleranz in Grad (Vorgabe {DEFAULT_TOLERANCE})",
        )  # fmt: skip
        parser.add_argument(
            "--precision", type=int, default=DEFAULT_PRECISION,
            help=f"Nachkommastellen der Koordinaten (Vorgabe {DEFAULT_PRECISION})",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="nur berichten")

    def handle(self, *args, path, tolerance, precision, dry_run, verbosity, **options):
        report = run_import(
            import_boundaries, path, errors=BoundaryError, stderr=self.stderr,
            tolerance=tolerance, precision=precision, dry_run=dry_run,
        )  # fmt: skip

        write = self.stdout.write
        if verbosity >= 2:
            for key, name in report.updated:
                write(f"Umriss gespeichert: {key} {name}")
        for key, name in report.unmatched:
            write(self.style.WARNING(f"keine Kommune mit dem Schlüssel {key} ({name})"))
        summary = (
            f"{report.features} Objekte: {len(report.updated)} Umrisse neu oder geändert, "
            f"{report.unchanged} unverändert, {len(report.unmatched)} ohne passende Kommune; "
            f"{report.points_before} → {report.points_after} Punkte"
        )
        if report.centres_set:
            summary += f"; {report.centres_set} Mittelpunkte ergänzt"
        if dry_run:
            write(self.style.WARNING(f"Probelauf, nichts gespeichert: {summary}"))
        else:
            write(self.style.SUCCESS(summary))
