"""What an attacker with DBA rights does: switch a guard off, change rows, switch it back on."""

from __future__ import annotations

from central.audit.schema import POSTGRES_GUARDS, SQLITE_GUARDS
from central.db import Database


def tamper(db: Database, *statements: str) -> None:
    """Run `statements` on audit_log with its guards off, then restore them, and commit."""
    if db.postgres:
        db.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
    else:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("DROP TRIGGER audit_log_no_delete")
    for sql in statements:
        db.execute(sql)
    if db.postgres:
        db.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
    else:
        for stmt in SQLITE_GUARDS:
            db.execute(stmt)
    assert POSTGRES_GUARDS  # both engines' guards are what schema.py installs
    db.commit()
