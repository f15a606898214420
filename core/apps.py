from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app uses and that knows no domain: settings helpers, lists, caching, the
    catalogue version, the admin base, middlewares. It imports no other app of the project."""

    name = "core"
    verbose_name = _("Grundlagen")
