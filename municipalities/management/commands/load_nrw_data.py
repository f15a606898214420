"""Bring the database in line with the shipped NRW register and outlines (municipalities.nrw_data).
`make run` calls it on every start; when nothing changed, it writes nothing."""

from django.core.management.base import BaseCommand

from municipalities.nrw_data import load_outlines, load_register


class Command(BaseCommand):
    help = "Lädt das mitgelieferte Gemeindeverzeichnis und die Umrisse Nordrhein-Westfalens."

    def handle(self, *args, verbosity=1, **options):
        register = load_register()
        outlines = load_outlines()
        if verbosity and (register.changed_anything or outlines.updated):
            self.stdout.write(
                f"NRW: {len(register.created)} Einträge neu, {len(register.updated)} "
                f"aktualisiert, {len(register.deactivated)} nicht mehr im Verzeichnis; "
                f"{len(outlines.updated)} Umrisse gespeichert."
            )
