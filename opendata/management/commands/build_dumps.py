"""Builds the full dumps for the current catalogue version, if they are missing.

The first request for a version starts it in the background when the catalogue is large
(opendata.dumps.spawn); run by hand, from cron or after a deploy, it has them ready before
anyone asks. Builds nothing twice: each format waits for nobody and skips what another
process is building (advisory lock).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from opendata.dumps import KINDS, build


class Command(BaseCommand):
    help = "Erstellt die Gesamtdateien (CSV, XLSX, JSON) für den aktuellen Katalogstand."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", choices=sorted(KINDS), help="Standard: alle")
        parser.add_argument("--database-name", help="eine andere Datenbank desselben Servers")
        parser.add_argument("--dir", dest="directory", help="statt EXPORT_DUMP_DIR")
        parser.add_argument("--nice", type=int, default=0, help="niedrigere Priorität (0–19)")

    def handle(self, *args, kinds, database_name, directory, nice, **options):
        if nice:
            os.nice(nice)  # pages come first on a shared machine
        if database_name:
            connection.close()
            connection.settings_dict["NAME"] = database_name
        if directory:
            settings.EXPORT_DUMP_DIR = directory
        for name in kinds or KINDS:
            path = build(KINDS[name])
            if path is None:
                self.stdout.write(f"{name}: wird gerade von einem anderen Prozess erstellt")
            else:
                self.stdout.write(f"{name}: {path} ({path.stat().st_size:,} Bytes)")
