"""The per-day statistics roll-up (console.rollup): its tables, and the two indexes its change
detection reads on records (rows received since; records awaiting a clock offset). The roll-up
starts empty (the page computes from records until `imdms console warm` fills it). Also the
case and watchlist tables the console's pages read, where the collector has not made them."""

from typing import Any

from django.conf import settings
from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from central.cases.schema import ensure_schema as ensure_cases
    from central.db import Database
    from central.watchlist import hits, store
    from console.rollup import ensure_schema

    db = Database(settings.CENTRAL_DATABASE)
    try:
        ensure_schema(db)
        db.commit()
        ensure_cases(db)
        hits.ensure_schema(db)
        store.ensure_schema(db)
    finally:
        db.close()


class Migration(migrations.Migration):
    dependencies = [("console", "0003_audit_log")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
