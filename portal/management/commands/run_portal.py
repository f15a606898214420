"""`make run`: the development server and the job worker, started and stopped together.

runserver's autoreloader keeps this process as a parent that restarts a child (marked by
DJANGO_AUTORELOAD_ENV) on every code change; only that parent starts the worker, so a reload
never starts a second one, and the worker stops when the parent ends (Ctrl-C or SIGTERM).
"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV


class Command(BaseCommand):
    help = "Startet den Entwicklungsserver und den Job-Worker (procrastinate) zusammen."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":  # the reloaded child: serve only
            call_command("runserver", addrport)
            return
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        worker = subprocess.Popen([*manage, "procrastinate", "worker"])
        try:
            # The reloader's parent turns SIGTERM into SystemExit and ends on Ctrl-C, having
            # ended its child; either way the worker is stopped below.
            call_command("runserver", addrport)
        finally:
            stop(worker)


def stop(worker: subprocess.Popen) -> None:
    """Let the worker finish its current job (SIGTERM is a graceful stop), then insist."""
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
