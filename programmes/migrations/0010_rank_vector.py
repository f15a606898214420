# The search ranks by a small stored vector of title, short name, summary and related terms:
# read without decompressing the full vector of every match (programmes/search/plan.py).

import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0009_drop_simple_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="rank_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector(
                    "title", config="german", weight="A"
                )
                + django.contrib.postgres.search.SearchVector(
                    "short_name", "summary", config="german", weight="B"
                )
                + django.contrib.postgres.search.SearchVector(
                    "related_terms", config="german", weight="C"
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
    ]
