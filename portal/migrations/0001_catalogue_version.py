"""The catalogue version and the triggers that move it (see portal.models.CatalogueVersion).

A sequence, not a counter: numbers taken by a transaction that is rolled back are never handed
out again, so one number always stands for one state of the data.
"""

from django.db import migrations, models

import django.utils.timezone

# Every table a public page, the API or an export reads. tests/test_caching.py checks that no
# table of these apps is missing (history tables excepted: nothing public shows them).
TABLES = [
    "municipalities_municipality",
    "programmes_applicationwindow",
    "programmes_framework",
    "programmes_fundingbody",
    "programmes_fundingtype",
    "programmes_guidingprinciple",
    "programmes_link",
    "programmes_measure",
    "programmes_participation",
    "programmes_principlearea",
    "programmes_programme",
    "programmes_programme_funding_types",
    "programmes_programme_principles",
    "programmes_programme_target_groups",
    "programmes_programme_topics",
    "programmes_source",
    "programmes_targetgroup",
    "programmes_topic",
]

FUNCTION = """
CREATE SEQUENCE portal_catalogue_version_seq;
INSERT INTO portal_catalogueversion (id, number, changed)
    VALUES (1, nextval('portal_catalogue_version_seq'), clock_timestamp());
CREATE FUNCTION portal_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An upsert: a flushed database (a test run's TRUNCATE) gets its row back on the next write.
    INSERT INTO portal_catalogueversion (id, number, changed)
         VALUES (1, nextval('portal_catalogue_version_seq'), clock_timestamp())
    ON CONFLICT (id) DO UPDATE
        SET number = EXCLUDED.number,
            changed = GREATEST(portal_catalogueversion.changed, EXCLUDED.changed);
    RETURN NULL;
END
$$;
"""
TRIGGER = """
CREATE TRIGGER portal_catalogue_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_catalogue_changed();
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("municipalities", "0002_history"),
        ("programmes", "0002_history"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(verbose_name="Nummer")),
                ("changed", models.DateTimeField(default=django.utils.timezone.now, verbose_name="geändert")),
            ],
            options={
                "verbose_name": "Katalogstand",
                "verbose_name_plural": "Katalogstände",
                "constraints": [models.CheckConstraint(condition=models.Q(("pk", 1)), name="catalogue_one_row")],
            },
        ),
        migrations.RunSQL(
            FUNCTION + "".join(TRIGGER.format(table=table) for table in TABLES),
            reverse_sql="".join(
                f"DROP TRIGGER portal_catalogue_changed ON {table};" for table in TABLES
            )
            + "DROP FUNCTION portal_catalogue_changed(); DROP SEQUENCE portal_catalogue_version_seq;",
        ),
    ]
