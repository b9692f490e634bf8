"""Opening the outbox file: creation mode, pragmas, schema migration, and reusable space.

The file is never opened outside SQLite. POSIX advisory locks belong to the process, and closing
any descriptor of the file drops all of them while SQLite still believes it holds them; another
process closing its connection then deletes -wal and -shm under the open one, and whatever that
connection saves afterwards is lost (SQLite's "How To Corrupt An SQLite Database File", 2.2).
So the file is created by SQLite itself under umask 077 (0600), and a wider mode on an existing
file is narrowed with chmod(2) on the path. SQLite gives -wal and -shm the main file's mode.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import uuid
from pathlib import Path

from messaging.outbox_model import INDEXES_SQL, SCHEMA_VERSION, TABLES_SQL, statements

log = logging.getLogger(__name__)

WAL_LIMIT_BYTES = 2 * 1024 * 1024  # journal_size_limit: the WAL is cut back to this on reuse
# (above one autocheckpoint period, so the steady state never truncates and regrows the file)
AUTOCHECKPOINT_PAGES = 256  # checkpoint every ~1 MiB of WAL (SQLite's default: ~4 MiB)
AUTO_VACUUM_INCREMENTAL = 2

# The umask is per process: one connect at a time changes it. A file another thread creates in
# that instant gets umask 077 too: narrower than meant, never wider.
_umask_lock = threading.Lock()


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating 0600 if missing) and migrate the outbox. Raises OSError, sqlite3.Error."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _umask_lock:
        old = os.umask(0o077)
        try:
            db = sqlite3.connect(path, timeout=10.0, isolation_level=None,
                                 check_same_thread=False)
        finally:
            os.umask(old)
    try:
        _narrow_modes(path)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # takes effect only on a new file
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
        db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        _migrate(db)
        _narrow_modes(path)
    except BaseException:
        db.close()
        raise
    return db


def _narrow_modes(path: Path) -> None:
    for name in (str(path), str(path) + "-wal", str(path) + "-shm"):
        try:
            mode = os.stat(name).st_mode
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(name, 0o600)  # by path: no descriptor of the file is opened or closed


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the tables to SCHEMA_VERSION (one transaction), then make vacuum incremental."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")}
            if "outbox" in tables and version < 2:
                _from_v0(db)
            if "outbox" in tables:
                _add_receipt_columns(db)
            for stmt in statements(TABLES_SQL) + statements(INDEXES_SQL):
                db.execute(stmt)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    if db.execute("PRAGMA auto_vacuum").fetchone()[0] != AUTO_VACUUM_INCREMENTAL:
        # a file made before incremental vacuum: one full VACUUM switches it (needs free space
        # about the size of the live data; when it fails it is tried at the next open)
        try:
            db.execute("VACUUM")
            log.info("outbox file compacted once (incremental vacuum enabled)")
        except sqlite3.Error as err:
            log.warning("outbox compaction postponed (%s)", err.__class__.__name__)


RECEIPT_COLUMNS = (("receipt_due", "REAL"), ("sends", "INTEGER NOT NULL DEFAULT 0"),
                   ("forwarded_at", "REAL"), ("last_sent_at", "REAL"))


def _add_receipt_columns(db: sqlite3.Connection) -> None:
    """Version 2 files: the receipt columns (NULL: no row awaits a receipt yet)."""
    cols = {r[1] for r in db.execute("PRAGMA table_info(outbox)")}
    for name, decl in RECEIPT_COLUMNS:
        if name not in cols:
            db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {decl}")


def _from_v0(db: sqlite3.Connection) -> None:
    """Version 0 files: add `kind`, and replace tombstones holding payloads by id-only ones."""
    for table in ("outbox", "quarantine"):
        cols = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if "kind" not in cols:
            db.execute(f"ALTER TABLE {table} ADD COLUMN kind TEXT NOT NULL DEFAULT 'crossing'")
    db.execute("ALTER TABLE sent RENAME TO sent_v0")
    for name in ("sent_seq", "sent_payload", "sent_time"):
        db.execute(f"DROP INDEX IF EXISTS {name}")
    db.execute(statements(TABLES_SQL)[2])  # the new sent
    rows = db.execute("SELECT record_id, sent_at FROM sent_v0").fetchall()
    db.executemany("INSERT OR IGNORE INTO sent (record_id, sent_at) VALUES (?, ?)",
                   [(sent_key(rid), int(at)) for rid, at in rows])
    db.execute("DROP TABLE sent_v0")
    log.info("outbox tables upgraded to version %d (%d tombstones kept)", SCHEMA_VERSION,
             len(rows))


def sent_key(record_id: str) -> bytes | str:
    """The tombstone key: a UUID's 16 bytes (a third of its text), other ids as text."""
    try:
        return uuid.UUID(record_id).bytes
    except (ValueError, AttributeError, TypeError):
        return record_id


def reusable_bytes(db: sqlite3.Connection, path: Path) -> int:
    """What SQLite can store new data in beyond the file system's free space (may be negative).

    Plus: free pages, and the part of the WAL beyond its limit that the next write gives back
    (after a complete checkpoint the WAL restarts and is cut to WAL_LIMIT_BYTES). Minus: what
    the WAL may still grow before it reaches that limit (the forwarder's deletes need it; a
    WAL below its limit does not add room: what is written there lands in the main file).
    Runs a PASSIVE checkpoint (never waits). Raises sqlite3.Error (e.g. disk full)."""
    page = int(db.execute("PRAGMA page_size").fetchone()[0])
    free_pages = int(db.execute("PRAGMA freelist_count").fetchone()[0])
    busy, frames, backfilled = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    try:
        wal = os.stat(str(path) + "-wal").st_size
    except FileNotFoundError:
        wal = 0
    given_back = max(0, wal - WAL_LIMIT_BYTES) if not busy and frames == backfilled else 0
    return free_pages * page + given_back - max(0, WAL_LIMIT_BYTES - wal)
