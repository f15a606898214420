"""Backup and restore drill (portal/backup.py): dump, restore into a fresh database, compare
row counts of every table and the public pages. With --dump the dump is kept as a backup."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import DrillError, run_drill


class Command(BaseCommand):
    help = "Sichert die Datenbank, stellt sie in eine neue Datenbank wieder her und vergleicht."

    def add_arguments(self, parser):
        parser.add_argument("--dump", type=Path, help="Sicherung hier aufbewahren (pg_dump -Fc).")
        parser.add_argument("--pg-bin", help="Ordner mit pg_dump und pg_restore.")
        parser.add_argument(
            "--keep-copy", action="store_true", help="Wiederhergestellte Datenbank behalten."
        )

    def handle(self, *args, dump, pg_bin, keep_copy, **options):
        with tempfile.TemporaryDirectory(prefix="kk-backup-") as scratch:
            path = dump or Path(scratch) / "kommunalkompass.dump"
            try:
                report = run_drill(
                    dump_path=path, pg_bin=pg_bin, keep_copy=keep_copy, log=self.stdout.write
                )
            except DrillError as error:
                raise CommandError(str(error)) from None
        for table, (source, copy) in report.table_differences.items():
            self.stderr.write(f"  Tabelle {table}: {source} Zeilen, in der Kopie {copy}")
        for page in report.page_differences:
            self.stderr.write(f"  Seite {page} unterscheidet sich")
        if not report.ok:
            raise CommandError("Die Wiederherstellung weicht ab.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Übung bestanden: {len(report.tables)} Tabellen mit {report.rows:,} Zeilen und "
                f"{len(report.pages)} Seiten sind in der Kopie gleich."
            )
        )
