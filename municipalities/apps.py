from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = _("Kommunen")

    def ready(self):
        from core.text import clean_text_on_save

        clean_text_on_save(*self.get_models())  # no pasted control characters in names
