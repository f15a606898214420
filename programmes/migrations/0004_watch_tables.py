"""The tables of this app that public pages read move the catalogue version (core)."""

from django.db import migrations

from core.version_triggers import WatchTables


class Migration(migrations.Migration):
    dependencies = [("core", "0001_catalogue_version"), ("programmes", "0003_list_order_newest_and_deadline_indexes")]

    operations = [WatchTables("Programme", "ApplicationWindow", "Link", "Participation", "Source", "Framework", "PrincipleArea", "GuidingPrinciple", "Measure", "Topic", "TargetGroup", "FundingType", "FundingBody")]
