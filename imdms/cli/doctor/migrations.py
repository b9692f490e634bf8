"""`imdms doctor --central`: are the console's schema migrations (console/migrations, Django)
applied to the central database? Read from the files and the `django_migrations` table, so the
check needs neither Django settings nor the console's secret key.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from imdms.checks import CheckResult, Status
from imdms.errors import ImdmsError

if TYPE_CHECKING:
    from config.models import Config

NAME = "migrations"
HINT = "run `imdms console migrate` on one central host (it adopts the collector's tables)"


def shipped_migrations() -> list[str] | None:
    """The console's migration names (0001_...), or None when the console is not installed."""
    spec = importlib.util.find_spec("console")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "migrations"
    return sorted(p.stem for p in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))


def check_migrations(config: Config) -> CheckResult:
    shipped = shipped_migrations()
    if shipped is None:
        return CheckResult(NAME, Status.SKIP, "the console (central extra) is not installed")
    from central.db import Database

    try:
        db = Database(config.collector.database)
    except ImdmsError as err:
        return CheckResult(NAME, Status.FAIL, f"database: {err.message}", err.hint or "")
    try:
        try:
            rows = db.query("SELECT name FROM django_migrations WHERE app = ?", ("console",))
        except Exception:  # no such table: the console was never migrated here
            db.rollback()
            return CheckResult(NAME, Status.WARN,
                               f"console schema not created (0 of {len(shipped)} migrations)",
                               HINT)
    finally:
        db.close()
    applied = {str(r[0]) for r in rows}
    missing = [name for name in shipped if name not in applied]
    if missing:
        return CheckResult(NAME, Status.FAIL,
                           f"{len(missing)} of {len(shipped)} console migrations not applied "
                           f"({', '.join(missing)})", HINT)
    return CheckResult(NAME, Status.PASS, f"console migrations current ({len(shipped)})")
