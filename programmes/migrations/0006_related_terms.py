"""topic_text becomes related_terms: the names of a programme's topics and of its funder (also
former names), so a search for a funder's old or new name finds its programmes. The generated
search vector refers to the column, so it is dropped and added again around the rename."""

import django.contrib.postgres.indexes
import django.db.models
import django.contrib.postgres.search
from django.db import migrations


def vector(terms: str):
    return (
        django.contrib.postgres.search.SearchVector("title", config="german", weight="A")
        + django.contrib.postgres.search.SearchVector(
            "short_name", "summary", config="german", weight="B"
        )
        + django.contrib.postgres.search.SearchVector(
            "description", terms, config="german", weight="C"
        )
    )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0005_checked_on_goals_former_names")]

    operations = [
        migrations.RemoveIndex(model_name="programme", name="programme_search"),
        migrations.RemoveField(model_name="programme", name="search_vector"),
        migrations.RenameField(
            model_name="programme", old_name="topic_text", new_name="related_terms"
        ),
        migrations.AddField(
            model_name="programme",
            name="search_vector",
            field=django.db.models.GeneratedField(
                db_persist=True,
                expression=vector("related_terms"),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="programme",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="programme_search"
            ),
        ),
        migrations.RunSQL(
            # Existing rows learn their funder's names (new saves keep them in step).
            """
            UPDATE programmes_programme p
               SET related_terms = concat_ws(' ', nullif(p.related_terms, ''),
                                             f.name, f.short_name, f.former_names)
              FROM programmes_fundingbody f
             WHERE f.id = p.funding_body_id
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
