"""The catalogue version (core.models.CatalogueVersion), its sequence and the trigger function
that every app's WatchTables operation attaches to its public tables.

A sequence, not a counter: numbers taken by a transaction that is rolled back are never handed
out again, so one number always stands for one state of the data. The number is drawn in the
ON CONFLICT branch, after the row lock is held: concurrent writers queue on that lock, so the
writer that commits last always leaves the highest number.
"""

from django.db import migrations, models

import django.utils.timezone

# Databases created before the core app held these objects under the portal app's names.
FORMER = """
DROP FUNCTION IF EXISTS portal_catalogue_changed() CASCADE;
DROP TABLE IF EXISTS portal_catalogueversion;
DROP SEQUENCE IF EXISTS portal_catalogue_version_seq;
DELETE FROM django_migrations
 WHERE app = 'portal' AND name IN ('0001_catalogue_version', '0002_catalogue_notify');
"""

FUNCTION = """
CREATE SEQUENCE core_catalogue_version_seq;
INSERT INTO core_catalogueversion (id, number, changed)
    VALUES (1, nextval('core_catalogue_version_seq'), clock_timestamp());
CREATE FUNCTION core_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_number bigint;
    new_changed timestamptz;
BEGIN
    -- An upsert: a flushed database (a test run's TRUNCATE) gets its row back on the next write.
    INSERT INTO core_catalogueversion (id, number, changed)
         VALUES (1, nextval('core_catalogue_version_seq'), clock_timestamp())
    ON CONFLICT (id) DO UPDATE
        SET number = nextval('core_catalogue_version_seq'),
            changed = GREATEST(core_catalogueversion.changed, clock_timestamp())
    RETURNING number, changed INTO new_number, new_changed;
    -- Delivered when the writing transaction commits (core.cache.VersionWatch).
    PERFORM pg_notify('catalogue_version', new_number || ' ' || extract(epoch FROM new_changed));
    RETURN NULL;
END
$$;
"""

REVERSE = """
DROP FUNCTION core_catalogue_changed() CASCADE;
DROP SEQUENCE core_catalogue_version_seq;
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.RunSQL(FORMER, reverse_sql=migrations.RunSQL.noop),
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
        migrations.RunSQL(FUNCTION, reverse_sql=REVERSE),
    ]
