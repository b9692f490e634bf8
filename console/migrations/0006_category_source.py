"""records.category_source (issue 21): whether the traveller category was the booth's proposal
confirmed, a proposal changed, or chosen with none (records.stats.category_source). The column
is the collector's (central.columns); opening the store adds it to an older table and fills it
from the stored payloads, as the collector does at its own start."""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def add(apps: Any, schema_editor: Any) -> None:
    from central.db import Database

    Database(settings.CENTRAL_DATABASE).close()  # its schema step adds and fills the column


class Migration(migrations.Migration):
    dependencies = [("console", "0005_stats_cube")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add, migrations.RunPython.noop)],
            state_operations=[
                migrations.AddField(
                    model_name="record",
                    name="category_source",
                    field=models.TextField(null=True),
                ),
            ],
        ),
    ]
