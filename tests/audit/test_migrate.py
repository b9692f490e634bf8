"""A store made by the first release: its trace_audit rows are chained into audit_log once,
then the old table (guarded, so never purged) is dropped."""

from __future__ import annotations

import pytest

from central.audit.schema import ensure_schema
from central.audit.verify import verify
from central.db import Database
from central.trace.audit import audit_rows
from tests.collector.peers import Store

OLD = """CREATE TABLE trace_audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL, operator TEXT NOT NULL,
    reason TEXT NOT NULL, action TEXT NOT NULL, params TEXT NOT NULL,
    result_count INTEGER NOT NULL)"""
OLD_GUARDS = {  # as the first release made them
    "sqlite": ("CREATE TRIGGER trace_audit_no_delete BEFORE DELETE ON trace_audit"
               " BEGIN SELECT RAISE(ABORT, 'trace_audit is append-only'); END",),
    "postgresql": (
        "CREATE FUNCTION trace_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'trace_audit is append-only'; END $$",
        "CREATE TRIGGER trace_audit_no_change BEFORE UPDATE OR DELETE ON trace_audit"
        " FOR EACH ROW EXECUTE FUNCTION trace_audit_refuse()",
    ),
}


def test_trace_audit_rows_are_moved_into_the_chain(store: Store) -> None:
    db = Database(store.url)
    try:
        db.execute(OLD)
        for stmt in OLD_GUARDS[store.kind]:
            db.execute(stmt)
        for i, at in enumerate(("2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z")):
            db.execute("INSERT INTO trace_audit VALUES (?, ?, 'inv-1', 'case 7', 'trace', ?, ?)",
                       (i + 1, at, '{"doc": "LSO:RA1"}', i))
        db.commit()
        ensure_schema(db)
        ensure_schema(db)  # once only
        rows = audit_rows(db)
        assert [(r["at"], r["params"], r["result_count"]) for r in rows] == [
            ("2026-01-01T00:00:00.000Z", {"doc": "LSO:RA1"}, 0),
            ("2026-01-02T00:00:00.000Z", {"doc": "LSO:RA1"}, 1),
        ]
        assert verify(db).count == 2
        with pytest.raises(Exception) as err:
            db.query("SELECT COUNT(*) FROM trace_audit")
        assert db.is_db_error(err.value)  # dropped: retention purges the chain only
        db.rollback()
    finally:
        db.close()
