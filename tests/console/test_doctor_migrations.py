"""`imdms doctor --central` says whether the console's migrations are applied to the central
database (read from the files and django_migrations: no Django settings needed)."""

from __future__ import annotations

from pathlib import Path

from central.db import Database
from config.models import Config
from imdms.checks import Status
from imdms.cli.doctor.migrations import check_migrations, shipped_migrations


def test_not_migrated_then_partly_then_current(tmp_path: Path) -> None:
    url = str(tmp_path / "central.sqlite3")
    Database(url).close()  # the collector's tables only
    config = Config.model_validate({"collector": {"database": url}})
    first = check_migrations(config)
    assert first.status is Status.WARN and "imdms console migrate" in first.hint
    shipped = shipped_migrations()
    assert shipped is not None and shipped[0].startswith("0001_")
    db = Database(url)
    try:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT NOT NULL,"
                   " name TEXT NOT NULL, applied TEXT NOT NULL)")
        db.execute("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
                   ("console", shipped[0], "2026-12-03"))
        db.commit()
        partly = check_migrations(config)
        assert partly.status is Status.FAIL and shipped[-1] in partly.message
        for name in shipped[1:]:
            db.execute("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
                       ("console", name, "2026-12-03"))
        db.commit()
    finally:
        db.close()
    done = check_migrations(config)
    assert done.status is Status.PASS, done.message
