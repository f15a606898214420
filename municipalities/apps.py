from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Kommunen")

    def ready(self):
        from core.text import clean_text_on_save

        clean_text_on_save(*self.get_models())  # no pasted control characters in names

        from core.history import track
        from municipalities.models import Municipality

        # With its outline: restoring a version writes every column it holds, and one left out
        # would come back empty. Versions arise only when editors save, which is rare.
        track(Municipality)
