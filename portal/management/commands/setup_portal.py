"""Everything `make run` and `make test` need, in one process: a second run is quick and
changes no data."""

from django.conf import settings
from django.core.management import BaseCommand, call_command

from programmes.search import ngrams


class Command(BaseCommand):
    help = (
        "Migriert, lädt Kommunen und Katalog, richtet die Redaktion ein (und in der "
        "Entwicklung ein Konto)."
    )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        ngrams.table()  # the search's compound splitting reads it (built once, ~10 s)
        call_command("load_nrw_data")  # every NRW municipality with figures and outline
        call_command("load_catalogue")
        call_command("setup_roles", verbosity=0)
        if settings.DEBUG:
            call_command("ensure_dev_admin")
