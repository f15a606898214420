from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = "Open Data"

    def ready(self):
        from opendata import schema  # noqa: F401  registers the OpenAPI filter extension
