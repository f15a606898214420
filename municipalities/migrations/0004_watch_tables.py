"""The tables of this app that public pages read move the catalogue version (core)."""

from django.db import migrations

from core.version_triggers import WatchTables


class Migration(migrations.Migration):
    dependencies = [("core", "0001_catalogue_version"), ("municipalities", "0003_list_order_index")]

    operations = [WatchTables("Municipality")]
