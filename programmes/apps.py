from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Katalog")

    def ready(self):
        from municipalities import extensions
        from programmes import signals  # noqa: F401
        from programmes.places import EXTENSION

        extensions.register(EXTENSION)  # programmes on the municipality pages
