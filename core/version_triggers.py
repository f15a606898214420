"""The migration operation with which an app declares the tables its public pages read.

Each such table gets a statement trigger that moves the catalogue version (core.models) on
every INSERT, UPDATE, DELETE or TRUNCATE, so cached pages and counts are never older than the
data. An app names its own models; their many-to-many tables are included::

    WatchTables("Programme", "Topic")
"""

from django.db.migrations.operations.base import Operation

TRIGGER = "core_catalogue_changed"

CREATE = """
CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION core_catalogue_changed();
"""
DROP = "DROP TRIGGER IF EXISTS {trigger} ON {table};"


class WatchTables(Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, *model_names: str):
        self.model_names = model_names

    def deconstruct(self):
        return self.__class__.__name__, self.model_names, {}

    def state_forwards(self, app_label, state):
        pass  # triggers are no part of the model state

    def tables(self, app_label, state) -> list[str]:
        tables = []
        for name in self.model_names:
            model = state.apps.get_model(app_label, name)
            tables.append(model._meta.db_table)
            for field in model._meta.local_many_to_many:
                if field.remote_field.through._meta.auto_created:
                    tables.append(field.m2m_db_table())
        return tables

    def _run(self, template, app_label, schema_editor, state):
        for table in self.tables(app_label, state):
            quoted = schema_editor.quote_name(table)
            schema_editor.execute(template.format(trigger=TRIGGER, table=quoted))

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(CREATE, app_label, schema_editor, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(DROP, app_label, schema_editor, from_state)

    def describe(self):
        return f"Katalogstand bei Änderungen an {', '.join(self.model_names)} weiterzählen"

    @property
    def migration_name_fragment(self):
        return "watch_" + "_".join(name.lower() for name in self.model_names)[:40]
