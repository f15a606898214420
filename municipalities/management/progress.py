"""A one-line progress bar on stderr for the import commands; no dependency needed."""

from django.core.management.base import CommandError


def run_import(importer, path, *, errors: type[Exception], stderr, **options):
    """Run an importer with a progress bar; its own errors and unreadable files end the
    command with a message that names the file (the importer has rolled back by then)."""
    progress = ProgressBar(stderr)
    try:
        return importer(path, progress=progress, **options)
    except errors as error:
        raise CommandError(f"{path}: {error}") from error
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror or error}") from error
    finally:
        progress.finish()


class ProgressBar:
    """Redraws ``Stage  [#####·····]  48 %`` in place; only on a terminal."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.enabled = stream.isatty()
        self.shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int):
        if not self.enabled:
            return
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if self.shown == (stage, percent):
            return
        if self.shown and self.shown[0] != stage:
            self.stream.write("\n", ending="", style_func=_plain)
        self.shown = (stage, percent)
        filled = percent * self.WIDTH // 100
        bar = "#" * filled + "·" * (self.WIDTH - filled)
        self.stream.write(f"\r{stage:<14} [{bar}] {percent:3d} %", ending="", style_func=_plain)
        self.stream.flush()

    def finish(self):
        if self.enabled and self.shown:
            self.stream.write("\n", ending="", style_func=_plain)
            self.shown = None


def _plain(text: str) -> str:
    """Django styles everything on stderr as an error (red); progress is not one."""
    return text
