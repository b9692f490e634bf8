"""Adopt the collector's tables: Django learns their models, the database gets the collector's
own DDL (central.db.Database and central.trace.schema, idempotent: CREATE ... IF NOT EXISTS).

On a database `imdms collect` already made this only records the migration as applied (the
`migrate --fake-initial` semantics, without the flag); on an empty one it creates the tables
exactly as the collector would. Not atomic: the DDL runs on the collector's own connection.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def adopt(apps: Any, schema_editor: Any) -> None:
    from central.db import Database
    from central.trace.schema import ensure_schema

    db = Database(settings.CENTRAL_DATABASE)
    try:
        ensure_schema(db)
    finally:
        db.close()


class Migration(migrations.Migration):
    initial = True
    atomic = False
    dependencies: list[tuple[str, str]] = []  # type: ignore[misc]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(adopt, migrations.RunPython.noop)],
            state_operations=[
                migrations.CreateModel(
                    name="ClockOffset",
                    fields=[
                        (
                            "boot_id",
                            models.CharField(max_length=64, primary_key=True, serialize=False),
                        ),
                        ("terminal_id", models.TextField()),
                        ("offset_ns", models.BigIntegerField()),
                        ("heartbeat_at", models.TextField()),
                    ],
                    options={
                        "db_table": "clock_offsets",
                    },
                ),
                migrations.CreateModel(
                    name="Counter",
                    fields=[
                        (
                            "name",
                            models.CharField(max_length=64, primary_key=True, serialize=False),
                        ),
                        ("value", models.BigIntegerField()),
                    ],
                    options={
                        "db_table": "counters",
                    },
                ),
                migrations.CreateModel(
                    name="Record",
                    fields=[
                        (
                            "record_id",
                            models.CharField(max_length=64, primary_key=True, serialize=False),
                        ),
                        ("terminal_id", models.TextField()),
                        ("border_post", models.TextField()),
                        ("direction", models.TextField()),
                        ("capture_method", models.TextField()),
                        ("sex", models.IntegerField()),
                        ("age_band", models.TextField(null=True)),
                        ("nationality", models.TextField(null=True)),
                        ("minor", models.IntegerField()),
                        ("has_tips", models.IntegerField()),
                        ("tip_referral", models.TextField()),
                        ("amends", models.TextField(null=True)),
                        ("root_id", models.TextField()),
                        ("clock_synced", models.IntegerField()),
                        ("boot_id", models.TextField()),
                        ("monotonic_ns", models.BigIntegerField()),
                        ("recorded_ms", models.BigIntegerField()),
                        ("time_corrected", models.IntegerField(default=0)),
                        ("is_current", models.IntegerField(default=0)),
                        ("crossing_ms", models.BigIntegerField(null=True)),
                        ("crossing_day", models.IntegerField(null=True)),
                        ("received_at", models.TextField()),
                        ("payload", models.TextField()),
                        ("decision", models.TextField(default="ADMITTED")),
                        ("refusal_reason", models.TextField(null=True)),
                        ("traveller_category", models.TextField(null=True)),
                        ("purpose", models.TextField(null=True)),
                        ("stay_band", models.TextField(null=True)),
                        ("residence", models.TextField(null=True)),
                        ("transport_mode", models.TextField(null=True)),
                        ("unaccompanied", models.IntegerField(default=0)),
                    ],
                    options={
                        "db_table": "records",
                    },
                ),
                migrations.CreateModel(
                    name="Rejected",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("received_at", models.TextField()),
                        ("topic", models.TextField()),
                        ("reason", models.TextField()),
                        ("payload", models.TextField()),
                    ],
                    options={
                        "db_table": "rejected",
                    },
                ),
                migrations.CreateModel(
                    name="TraceAudit",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("at", models.TextField()),
                        ("operator", models.TextField()),
                        ("reason", models.TextField()),
                        ("action", models.TextField()),
                        ("params", models.TextField()),
                        ("result_count", models.IntegerField()),
                    ],
                    options={
                        "db_table": "trace_audit",
                    },
                ),
            ],
        ),
    ]
