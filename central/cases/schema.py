"""The case tables beside the central records (created on first use, both engines).

cases: one row per referred crossing (its root record id): the unit, the current status and
  who set it when. No personal data: that stays in `records` and is shown by `cases show`.
case_events: every status a case took, with who, when and the note; append-only.
case_notices: one row per person or hook told about a case: channel (email | hook), target,
  state (pending | sent | failed), attempts, the next try (epoch ms) and the last error.
case_audit: every view and change of a case (list, show, set-status); append-only.
"""

from __future__ import annotations

from central.db import Database

TABLES = (
    """CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY,
        root_id TEXT NOT NULL UNIQUE,
        record_id TEXT NOT NULL,
        border_post TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        unit TEXT NOT NULL,
        status TEXT NOT NULL,
        crossed_at TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        receipt_sent INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX IF NOT EXISTS cases_status ON cases (status, opened_at)",
    "CREATE INDEX IF NOT EXISTS cases_receipt ON cases (receipt_sent) WHERE receipt_sent = 0",
    """CREATE TABLE IF NOT EXISTS case_events (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        status_from TEXT,
        status_to TEXT NOT NULL,
        note TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS case_events_case ON case_events (case_id, id)",
    """CREATE TABLE IF NOT EXISTS case_notices (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_ms BIGINT NOT NULL,
        last_error TEXT,
        sent_at TEXT,
        UNIQUE (case_id, channel, target)
    )""",
    "CREATE INDEX IF NOT EXISTS case_notices_due ON case_notices (state, next_ms)",
    """CREATE TABLE IF NOT EXISTS case_audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        reason TEXT NOT NULL,
        action TEXT NOT NULL,
        case_id TEXT,
        params TEXT NOT NULL,
        result_count INTEGER NOT NULL
    )""",
)
APPEND_ONLY = ("case_events", "case_audit")


def _sqlite_guards(table: str) -> tuple[str, ...]:
    return tuple(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for op in ("UPDATE", "DELETE")
    )


def _postgres_guards(table: str) -> tuple[str, ...]:
    return (
        f"CREATE OR REPLACE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION case_log_refuse()",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
        " FOR EACH STATEMENT EXECUTE FUNCTION case_log_refuse()",
    )


POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION case_log_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$"  # %%: psycopg's escape
)


def _exists(db: Database) -> bool:
    if db.postgres:
        return db.query("SELECT to_regclass('case_audit') IS NOT NULL")[0][0] is True
    return bool(db.query("SELECT 1 FROM sqlite_master WHERE name = 'case_audit'"))


def ensure_schema(db: Database) -> None:
    """Create the case tables and the append-only guards if missing, and commit.

    Does nothing once they exist, so a case officer's role that does not own them (and so
    cannot replace the guards) runs without DDL rights.
    """
    if _exists(db):
        return
    if db.postgres:
        db.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-cases-schema'))")
    for stmt in TABLES:
        if db.postgres:
            stmt = stmt.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")
        db.execute(stmt)
    if db.postgres:
        db.execute(POSTGRES_FUNCTION)
    for table in APPEND_ONLY:
        for stmt in _postgres_guards(table) if db.postgres else _sqlite_guards(table):
            db.execute(stmt)
    db.commit()


# PostgreSQL: what a case officer's role (not the tables' owner) needs. Without UPDATE, DELETE
# or TRUNCATE on case_events and case_audit, and without ownership, it cannot rewrite them.
CASE_OFFICER_GRANTS = (
    "GRANT SELECT ON records TO {role}",
    "GRANT SELECT, UPDATE ON cases TO {role}",
    "GRANT SELECT ON case_notices TO {role}",
    "GRANT SELECT, INSERT ON case_events, case_audit TO {role}",
    "GRANT USAGE ON SEQUENCE case_events_id_seq, case_audit_id_seq TO {role}",
)
