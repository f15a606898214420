"""The trigger also announces each new catalogue version with NOTIFY on "portal_catalogue"
(number and time as text, delivered when the writing transaction commits), so that every app
process learns of a change without asking the database on each request (portal.cache)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_number bigint;
    new_changed timestamptz;
BEGIN
    -- An upsert: a flushed database (a test run's TRUNCATE) gets its row back on the next write.
    INSERT INTO portal_catalogueversion (id, number, changed)
         VALUES (1, nextval('portal_catalogue_version_seq'), clock_timestamp())
    ON CONFLICT (id) DO UPDATE
        SET number = EXCLUDED.number,
            changed = GREATEST(portal_catalogueversion.changed, EXCLUDED.changed)
    RETURNING number, changed INTO new_number, new_changed;
    PERFORM pg_notify('portal_catalogue', new_number || ' ' || extract(epoch FROM new_changed));
    RETURN NULL;
END
$$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION portal_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO portal_catalogueversion (id, number, changed)
         VALUES (1, nextval('portal_catalogue_version_seq'), clock_timestamp())
    ON CONFLICT (id) DO UPDATE
        SET number = EXCLUDED.number,
            changed = GREATEST(portal_catalogueversion.changed, EXCLUDED.changed);
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_catalogue_version")]

    operations = [migrations.RunSQL(FUNCTION, reverse_sql=PREVIOUS)]
