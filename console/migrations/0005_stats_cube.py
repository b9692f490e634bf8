"""The statistics filter cube (console.rollup_cube): per local day, persons by every column the
page filters on or tabulates, so views filtered by age band, nationality, category, purpose or
stay are answered from it. It starts empty, and the roll-up's state is cleared so the page
computes from records until the next `imdms console warm` rebuilds roll-up and cube together
(a roll-up made before this migration has no cube rows)."""

from typing import Any

from django.conf import settings
from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from central.db import Database
    from console.rollup_cube import ensure_schema

    db = Database(settings.CENTRAL_DATABASE)
    try:
        ensure_schema(db)
        db.execute("DELETE FROM stats_rollup_state")
        db.commit()
    finally:
        db.close()


class Migration(migrations.Migration):
    dependencies = [("console", "0004_stats_rollup")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
