"""The trace tables beside the central records (created on first use, both engines).

trace_entries: one row per crossing (its root record id), the person it belongs to and the
  fields the timeline and the flags read; the time is read live from `records.crossing_ms`
  (corrected for unsynchronised clocks by ingest, also after the index was built).
trace_entities: one row per document (ISSUER:NUMBER:DOB) or per undocumented crossing
  ("record:<root id>"), with its person; a person is a set of entities joined by links.
trace_links: a fuzzy link between two entities with its evidence and confidence; status
  auto (joins persons), suggested (shown, joins nothing until confirmed), confirmed or split
  (a supervisor's decision, kept across re-indexing).
Every trace query and link decision is a row of the central audit log (central/audit/schema.py:
  hash-chained, append-only); the first release's trace_audit is moved there once.
"""

from __future__ import annotations

from central.audit.schema import ensure_schema as ensure_audit_schema
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
    # incremental indexing reads the records received since the last run
    "CREATE INDEX IF NOT EXISTS trace_records_received ON records (received_at, root_id)",
)


def _exists(db: Database) -> bool:
    if db.postgres:
        return db.query("SELECT to_regclass('trace_entries') IS NOT NULL")[0][0] is True
    return bool(db.query("SELECT 1 FROM sqlite_master WHERE name = 'trace_entries'"))


def ensure_schema(db: Database) -> None:
    """Create the trace tables and the audit log if missing, and commit.

    Does nothing once they exist, so a tracing role that does not own them (and so cannot
    replace the audit log's guards) runs without DDL rights.
    """
    ensure_audit_schema(db)
    if _exists(db):
        return
    if db.postgres:
        db.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-trace-schema'))")
    for stmt in TABLES:
        if db.postgres:
            stmt = stmt.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY")
        db.execute(stmt)
    db.commit()


# PostgreSQL: what a tracing role (not the tables' owner) needs, and no more. Without UPDATE,
# DELETE or TRUNCATE on audit_log and without ownership (needed to drop or disable the
# triggers), it cannot rewrite the log; docs/tracing.md shows how to apply it.
TRACER_GRANTS = (
    "GRANT SELECT ON records TO {role}",
    "GRANT SELECT ON photos TO {role}",  # the trace shows and exports them
    "GRANT SELECT, INSERT, UPDATE, DELETE ON trace_entries, trace_entities, trace_links,"
    " trace_state TO {role}",
    "GRANT SELECT, INSERT ON audit_log TO {role}",
    "GRANT USAGE ON SEQUENCE trace_links_id_seq TO {role}",
)
