"""The console's own tables (terminal status, sign-ins, second factors) and an index of
`records` by terminal and arrival for the operations page (the last record of each terminal
without a scan)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0001_adopt_collector"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TerminalStatus",
            fields=[
                ("terminal_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("border_post", models.TextField()),
                ("received_at", models.DateTimeField()),
                ("sent_at", models.TextField()),
                ("software_version", models.TextField(default="")),
                ("clock_synced", models.BooleanField(null=True)),
                ("outbox_pending", models.IntegerField(null=True)),
                ("awaiting_receipt", models.IntegerField(null=True)),
                ("oldest_pending_age_s", models.FloatField(null=True)),
                ("readers", models.TextField(default="")),
            ],
            options={
                "db_table": "console_terminal_status",
            },
        ),
        migrations.CreateModel(
            name="SecondFactor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("totp_secret", models.CharField(max_length=64)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "db_table": "console_second_factor",
            },
        ),
        migrations.CreateModel(
            name="SignIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("username", models.CharField(max_length=150)),
                ("outcome", models.CharField(max_length=20)),
                ("address", models.CharField(default="", max_length=64)),
            ],
            options={
                "db_table": "console_signin",
                "indexes": [models.Index(fields=["username", "at"], name="console_signin_user")],
            },
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS records_terminal_recent ON records"
            " (terminal_id, received_at)",
            "DROP INDEX IF EXISTS records_terminal_recent",
        ),
    ]
