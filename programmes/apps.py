from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Katalog")

    def ready(self):
        from core.text import clean_text_on_save

        # No pasted control characters in the catalogue; connected before the receivers of
        # programmes.signals, so that they see the cleaned text (a slug compared with its
        # stored one).
        clean_text_on_save(*self.get_models())

        from municipalities import extensions
        from programmes import signals  # noqa: F401
        from programmes.history import track_catalogue
        from programmes.places import EXTENSION

        extensions.register(EXTENSION)  # programmes on the municipality pages
        track_catalogue()  # every save of a catalogue entry is a version in the history
