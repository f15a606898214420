"""Derive the shipped NRW data files from the official downloads (municipalities.nrw_data)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from municipalities.boundaries import BoundaryError
from municipalities.nrw_data import DATA_DIR, LAYERS, REGISTER_SOURCE, build_files
from municipalities.register import RegisterError


class Command(BaseCommand):
    help = (
        "Erzeugt die mitgelieferten NRW-Dateien (Gemeindeverzeichnis und vereinfachte Umrisse) "
        "aus den amtlichen Dateien in VERZEICHNIS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            type=Path,
            help=f"Ordner mit {REGISTER_SOURCE} (und den Hinweisen) sowie "
            + ", ".join(LAYERS.values()),
        )
        parser.add_argument(
            "--target", type=Path, default=DATA_DIR, help=f"Zielordner (Standard: {DATA_DIR})"
        )

    def handle(self, *args, source: Path, target: Path, **options):
        missing = [
            name for name in [REGISTER_SOURCE, *LAYERS.values()] if not (source / name).exists()
        ]
        if missing:
            raise CommandError(f"In {source} fehlt: {', '.join(missing)}")
        try:
            written = build_files(source, target)
        except (RegisterError, BoundaryError) as error:
            raise CommandError(str(error)) from error
        for path in written:
            self.stdout.write(f"{path} ({path.stat().st_size / 1024:.0f} KB)")
