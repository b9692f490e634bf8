"""The per-day statistics roll-up (console.rollup): its tables, and the two indexes its change
detection reads on records (rows received since; records awaiting a clock offset). The roll-up
starts empty (the page computes from records until `imdms console warm` fills it)."""

from typing import Any

from django.conf import settings
from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from central.db import Database
    from console.rollup import ensure_schema

    db = Database(settings.CENTRAL_DATABASE)
    try:
        ensure_schema(db)
        db.commit()
    finally:
        db.close()


class Migration(migrations.Migration):
    dependencies = [("console", "0003_audit_log")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
