"""The trace audit became the hash-chained audit log (central/audit/: booth events and every
central view of personal data, `imdms audit verify`). The console reads it through
central.trace.audit.audit_rows, so the model of the old table leaves the state; the database
step makes the chain (moving any trace_audit rows into it) where the collector has not yet."""

from typing import Any

from django.conf import settings
from django.db import migrations


def chain(apps: Any, schema_editor: Any) -> None:
    from central.audit.schema import ensure_schema
    from central.db import Database

    db = Database(settings.CENTRAL_DATABASE)
    try:
        ensure_schema(db)
    finally:
        db.close()


class Migration(migrations.Migration):
    dependencies = [("console", "0002_console")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TraceAudit")],
            database_operations=[migrations.RunPython(chain, migrations.RunPython.noop)],
        ),
    ]
