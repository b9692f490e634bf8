"""The trace tables beside the central records (created on first use, both engines).

trace_entries: one row per crossing (its root record id), the person it belongs to and the
  fields the timeline and the flags read; the time is read live from `records.crossing_ms`
  (corrected for unsynchronised clocks by ingest, also after the index was built).
trace_entities: one row per document (ISSUER:NUMBER:DOB) or per undocumented crossing
  ("record:<root id>"), with its person; a person is a set of entities joined by links.
trace_links: a fuzzy link between two entities with its evidence and confidence; status
  auto (joins persons), suggested (shown, joins nothing until confirmed), confirmed or split
  (a supervisor's decision, kept across re-indexing).
trace_audit: every trace query and link decision; append-only (triggers refuse UPDATE/DELETE).
"""

from __future__ import annotations

from central.db import Database

TABLES = (
    """CREATE TABLE IF NOT EXISTS trace_entries (
        root_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL,
        entity TEXT NOT NULL,
        person_id TEXT NOT NULL,
        issuer TEXT,
        doc_number TEXT,
        dob TEXT,
        direction TEXT NOT NULL,
        border_post TEXT NOT NULL,
        group_id TEXT,
        adult_ref TEXT,
        minor INTEGER NOT NULL,
        home INTEGER NOT NULL,
        stay_days INTEGER,
        tip_referral TEXT NOT NULL,
        watchlist TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS trace_entries_person ON trace_entries (person_id)",
    "CREATE INDEX IF NOT EXISTS trace_entries_entity ON trace_entries (entity)",
    "CREATE INDEX IF NOT EXISTS trace_entries_doc ON trace_entries (doc_number)",
    "CREATE INDEX IF NOT EXISTS trace_entries_record ON trace_entries (record_id)",
    "CREATE INDEX IF NOT EXISTS trace_entries_group ON trace_entries (group_id)"
    " WHERE group_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS trace_entries_adult ON trace_entries (adult_ref)"
    " WHERE adult_ref IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS trace_entities (
        entity TEXT PRIMARY KEY,
        person_id TEXT NOT NULL,
        name_key TEXT NOT NULL,
        name_block TEXT NOT NULL,
        dob TEXT,
        birth_year INTEGER,
        sex INTEGER NOT NULL,
        nationality TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS trace_entities_person ON trace_entities (person_id)",
    "CREATE INDEX IF NOT EXISTS trace_entities_dob ON trace_entities (dob)",
    # the block of approximate-age matching: name prefix, then birth year and sex
    "CREATE INDEX IF NOT EXISTS trace_entities_block ON trace_entities"
    " (name_block, birth_year, sex)",
    # ... and its undocumented part, the only one a dated entity is compared with
    "CREATE INDEX IF NOT EXISTS trace_entities_undated ON trace_entities"
    " (name_block, birth_year, sex) WHERE dob IS NULL",
    """CREATE TABLE IF NOT EXISTS trace_links (
        id INTEGER PRIMARY KEY,
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        confidence REAL NOT NULL,
        evidence TEXT NOT NULL,
        status TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        UNIQUE (a, b)
    )""",
    "CREATE INDEX IF NOT EXISTS trace_links_b ON trace_links (b)",
    """CREATE TABLE IF NOT EXISTS trace_state (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS trace_audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        operator TEXT NOT NULL,
        reason TEXT NOT NULL,
        action TEXT NOT NULL,
        params TEXT NOT NULL,
        result_count INTEGER NOT NULL
    )""",
    # incremental indexing reads the records received since the last run
    "CREATE INDEX IF NOT EXISTS trace_records_received ON records (received_at, root_id)",
)
SQLITE_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS trace_audit_no_update BEFORE UPDATE ON trace_audit"
    " BEGIN SELECT RAISE(ABORT, 'trace_audit is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS trace_audit_no_delete BEFORE DELETE ON trace_audit"
    " BEGIN SELECT RAISE(ABORT, 'trace_audit is append-only'); END",
)
POSTGRES_GUARDS = (
    "CREATE OR REPLACE FUNCTION trace_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION 'trace_audit is append-only'; END $$",
    "CREATE OR REPLACE TRIGGER trace_audit_no_change BEFORE UPDATE OR DELETE ON trace_audit"
    " FOR EACH ROW EXECUTE FUNCTION trace_audit_refuse()",
    "CREATE OR REPLACE TRIGGER trace_audit_no_truncate BEFORE TRUNCATE ON trace_audit"
    " FOR EACH STATEMENT EXECUTE FUNCTION trace_audit_refuse()",
)


def _exists(db: Database) -> bool:
    if db.postgres:
        return db.query("SELECT to_regclass('trace_audit') IS NOT NULL")[0][0] is True
    return bool(db.query("SELECT 1 FROM sqlite_master WHERE name = 'trace_audit'"))


def ensure_schema(db: Database) -> None:
    """Create the trace tables and the audit guards if missing, and commit.

    Does nothing once they exist, so a tracing role that does not own them (and so cannot
    replace the guards) runs without DDL rights.
    """
    if _exists(db):
        return
    if db.postgres:
        db.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-trace-schema'))")
    for stmt in TABLES:
        if db.postgres:
            stmt = stmt.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")
        db.execute(stmt)
    for stmt in POSTGRES_GUARDS if db.postgres else SQLITE_GUARDS:
        db.execute(stmt)
    db.commit()


# PostgreSQL: what a tracing role (not the tables' owner) needs, and no more. Without UPDATE,
# DELETE or TRUNCATE on trace_audit and without ownership (needed to drop or disable the
# triggers), it cannot rewrite the log; docs/tracing.md shows how to apply it.
TRACER_GRANTS = (
    "GRANT SELECT ON records TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON trace_entries, trace_entities, trace_links,"
    " trace_state TO {role}",
    "GRANT SELECT, INSERT ON trace_audit TO {role}",
    "GRANT USAGE ON SEQUENCE trace_audit_id_seq, trace_links_id_seq TO {role}",
)
