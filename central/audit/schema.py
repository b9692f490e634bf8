"""The `audit_log` table, its append-only guards, and the one-time move of trace_audit into it.

audit_log: one row per event, `seq` its position in the chain (1, 2, ... with no gap), `hash`
  = H(prev_hash || canonical row) (central/audit/chain.py). source "booth" (an audit-v1 event,
  `event_id` unique: redelivery stores nothing twice) or "central" (a view of personal data, a
  purge). A purge row's `covers_seq` names the last row of the prefix it removed.
A store made by the first release has its trace_audit rows chained here once (then dropped).
Guards: triggers refuse UPDATE and TRUNCATE always, and DELETE of any row no purge row covers,
  so only a chained, visible purge can shorten the log (and only from the front).
"""

from __future__ import annotations

import json

from central.db import Database

TABLE = """CREATE TABLE IF NOT EXISTS audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_id TEXT UNIQUE,
    terminal_id TEXT,
    border_post TEXT,
    operator TEXT,
    reason TEXT,
    detail TEXT NOT NULL,
    covers_seq BIGINT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)"""
INDEXES = (
    "CREATE INDEX IF NOT EXISTS audit_log_covers ON audit_log (covers_seq)"
    " WHERE covers_seq IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
)
REFUSED = "audit_log is append-only"
SQLITE_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log"
    f" BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log"
    " WHEN NOT EXISTS (SELECT 1 FROM audit_log p WHERE p.covers_seq >= OLD.seq"
    " AND p.seq > OLD.seq)"
    f" BEGIN SELECT RAISE(ABORT, '{REFUSED}: only a purge row''s prefix may go'); END",
)
POSTGRES_GUARDS = (
    "CREATE OR REPLACE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    " IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_log p"
    "  WHERE p.covers_seq >= OLD.seq AND p.seq > OLD.seq) THEN RETURN OLD; END IF;"
    f" RAISE EXCEPTION '{REFUSED}'; END $$",
    "CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()",
    "CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()",
)
# PostgreSQL: what a role that only appends (a tracer, the console) needs: no UPDATE, DELETE,
# TRUNCATE and no ownership (which could drop the triggers). The purge runs as the owner.
APPENDER_GRANTS = ("GRANT SELECT, INSERT ON audit_log TO {role}",)


def _exists(db: Database, table: str) -> bool:
    if db.postgres:
        return db.query("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0] is True
    return bool(db.query("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)))


def ensure_schema(db: Database) -> None:
    """Create audit_log and its guards if missing (moving trace_audit's rows in), and commit.

    Does nothing once the table exists, so a role without DDL rights appends and verifies.
    """
    if _exists(db, "audit_log"):
        return
    if db.postgres:
        db.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-audit-schema'))")
        if _exists(db, "audit_log"):  # another process made it while we waited
            db.commit()
            return
    db.execute(TABLE)
    for stmt in INDEXES:
        db.execute(stmt)
    for stmt in POSTGRES_GUARDS if db.postgres else SQLITE_GUARDS:
        db.execute(stmt)
    if _exists(db, "trace_audit"):
        _move_trace_audit(db)
    db.commit()


def _move_trace_audit(db: Database) -> None:
    """Chain the rows of the first release's trace_audit, oldest first, then drop it (in the
    same transaction): its rows are personal data, and retention purges only the chain."""
    from central.audit.chain import Entry, append

    rows = db.query(
        "SELECT id, at, operator, reason, action, params, result_count FROM trace_audit"
        " ORDER BY id"
    )
    for _id, at, operator, reason, action, params, count in rows:
        detail = {"params": json.loads(params), "result_count": int(count),
                  "moved_from": "trace_audit"}
        entry = Entry("central", str(action), operator=str(operator), reason=str(reason),
                      detail=detail)
        append(db, entry, at=str(at))
    db.execute("DROP TABLE trace_audit")  # its triggers go with it
    if db.postgres:
        db.execute("DROP FUNCTION IF EXISTS trace_audit_refuse()")
