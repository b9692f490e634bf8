"""The durable outbox: every crossing is stored here, in one synced transaction, before the
officer sees "saved"; the forwarder deletes a row only after the broker's PUBACK.

SQLite in WAL mode with synchronous=FULL; the file and its -wal/-shm are mode 0600 (they hold
personal data). Three tables:

- `outbox`: pending records, `seq` gives the local order. `suspect`/`attempts` let the forwarder
  isolate a record the broker keeps rejecting (see messaging/forwarder.py).
- `quarantine`: records rejected `quarantine_after` times, with the reason. Kept, never dropped;
  `requeue()` puts them back.
- `sent`: one tombstone per forwarded record (record_id, times; the payload only for the last
  `KEEP_SENT`, for the booth's "recent" list). It makes imports idempotent and is pruned after
  `SENT_RETENTION_DAYS`.

One connection per Outbox guarded by a lock: the UI thread and a worker may share an instance.
Several processes (terminal and forwarder) may open the same file: WAL lets them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from imdms.errors import DiskFullError, OutboxError, SchemaError
from messaging.outbox_model import SCHEMA_SQL, OutboxStatus, RecentRecord, Row
from messaging.record import CrossingRecord
from messaging.schema import validate_record

__all__ = ["DiskFullError", "Outbox", "OutboxStatus", "RecentRecord", "Row"]
log = logging.getLogger(__name__)

KEEP_SENT = 50
SENT_RETENTION_DAYS = 400
MIB = 1024 * 1024
MAX_RETRY_S = 3600.0  # a retry time further ahead than this means the clock jumped back

FreeBytes = Callable[[Path], int]


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def _create_private(path: Path) -> None:
    """Create `path` (if missing) with mode 0600 before SQLite opens it; fix a wider mode."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class Outbox:
    """The durable store of crossings awaiting forwarding.

    Args:
        path: the SQLite file; its folder is created 0700 when missing.
        disk_floor_mb: `add()` raises DiskFullError when the file system has less free (MiB).
        max_record_bytes: largest accepted record (bytes of JSON); larger ones raise OutboxError.
        quarantine_after: failed publishes after which the forwarder quarantines a record.
        free_bytes: free-space probe (tests inject a fake).
    Raises OutboxError when the file cannot be opened.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        disk_floor_mb: int = 200,
        max_record_bytes: int = 16384,
        quarantine_after: int = 5,
        free_bytes: FreeBytes = _free_bytes,
    ) -> None:
        self.path = Path(path)
        self.disk_floor_mb = disk_floor_mb
        self.max_record_bytes = max_record_bytes
        self.quarantine_after = quarantine_after
        self._free_bytes = free_bytes
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_private(self.path)
            self._db = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.executescript(SCHEMA_SQL)
            for suffix in ("-wal", "-shm"):
                side = Path(str(self.path) + suffix)
                if side.exists() and side.stat().st_mode & 0o077:
                    side.chmod(0o600)
        except (OSError, sqlite3.Error) as err:
            raise OutboxError(
                f"cannot open the outbox {self.path}: {err.__class__.__name__}: {err}",
                "check the data folder exists, is writable by the imdms user and the disk is "
                "healthy",
            ) from err
        self._closed = False

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction (durable on COMMIT: synchronous=FULL)."""
        with self._lock:
            if self._closed:
                raise OutboxError("the outbox is closed", "this is a software fault; restart")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            if self._closed:
                raise OutboxError("the outbox is closed", "this is a software fault; restart")
            return self._db.execute(sql, params).fetchall()

    def free_mb(self) -> float:
        return self._free_bytes(self.path.parent) / MIB

    def _check_disk(self) -> None:
        free = self.free_mb()
        if free < self.disk_floor_mb:
            raise DiskFullError(
                f"disk almost full ({free:.0f} MiB free, floor {self.disk_floor_mb} MiB): "
                "the crossing was NOT saved",
                "record this traveller on paper and call the technician to free disk space; "
                "crossings already saved are safe",
            )

    def _encode(self, data: dict[str, Any]) -> str:
        validate_record(data)
        payload = json.dumps(data, separators=(",", ":"), sort_keys=True)
        size = len(payload.encode("utf-8"))
        if size > self.max_record_bytes:
            raise OutboxError(
                f"record too large ({size} bytes, limit {self.max_record_bytes}): not saved",
                "shorten the notes and save again",
            )
        return payload

    def _known(self, db: sqlite3.Connection, record_id: str) -> bool:
        for table in ("outbox", "sent", "quarantine"):
            sql = f"SELECT 1 FROM {table} WHERE record_id = ?"  # noqa: S608 (fixed names)
            if db.execute(sql, (record_id,)).fetchone():
                return True
        return False

    def _insert(
        self, db: sqlite3.Connection, data: dict[str, Any], payload: str, imported: bool
    ) -> bool:
        if self._known(db, data["record_id"]):
            return False
        db.execute(
            "INSERT INTO outbox (record_id, terminal_id, border_post, recorded_at, queued_at, "
            "imported, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                data["record_id"],
                data["terminal_id"],
                data["border_post"],
                data["recorded_at"],
                time.time(),
                int(imported),
                payload,
            ),
        )
        return True

    # -- the terminal's side -----------------------------------------------------------------

    def add(self, record: CrossingRecord) -> None:
        """Validate and store one record durably (returns after the synced COMMIT).

        Adding a record_id already stored (pending, sent or quarantined) does nothing.
        Raises SchemaError (invalid record), OutboxError (too large, database error),
        DiskFullError (free space below the floor; nothing stored is affected).
        """
        self.add_dict(record.to_dict())

    def add_dict(self, data: dict[str, Any], *, imported: bool = False) -> bool:
        """As add() for a record dict; True when it was queued, False when already known."""
        payload = self._encode(data)
        self._check_disk()
        try:
            with self._tx() as db:
                return self._insert(db, data, payload, imported)
        except sqlite3.Error as err:
            raise OutboxError(
                f"the crossing could not be saved: {err.__class__.__name__}",
                "try again; if it repeats, record on paper and call the technician",
            ) from err

    def import_records(
        self, records: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None
    ) -> tuple[int, int, int]:
        """Queue exported records, keeping their terminal_id and record_id.

        Returns (queued, already_known, rejected). Invalid records are counted and kept in
        quarantine (never queued); a second import of the same file queues nothing.
        Raises DiskFullError below the floor.
        """
        queued = known = rejected = 0
        pending: list[dict[str, Any]] = []
        invalid: list[tuple[dict[str, Any], str]] = []

        def flush() -> None:
            nonlocal queued, known, rejected
            # known ids are skipped before the (slow) schema check: a re-import is quick
            seen = self._known_ids([d.get("record_id") for d in pending])
            batch: list[tuple[dict[str, Any], str]] = []
            for data in pending:
                if data.get("record_id") in seen:
                    known += 1
                    continue
                try:
                    batch.append((data, self._encode(data)))
                except (SchemaError, OutboxError) as err:
                    rejected += 1
                    invalid.append((data, err.message))
            pending.clear()
            if batch or invalid:
                self._check_disk()
                with self._tx() as db:
                    for data, reason in invalid:  # kept, never dropped; never requeued
                        self._quarantine_invalid(db, data, reason)
                    invalid.clear()
                    for data, payload in batch:
                        if self._insert(db, data, payload, imported=True):
                            queued += 1
                        else:
                            known += 1
            if progress:
                progress(queued + known + rejected)

        for data in records:
            pending.append(data)
            if len(pending) >= 500:
                flush()
        flush()
        return queued, known, rejected

    def _quarantine_invalid(
        self, db: sqlite3.Connection, data: dict[str, Any], reason: str
    ) -> None:
        """An imported record that fails the schema: quarantined with seq -1 (never requeued)."""
        payload = json.dumps(data, separators=(",", ":"), sort_keys=True, default=str)
        rid = data.get("record_id")
        if not isinstance(rid, str) or not rid:
            rid = "invalid-" + hashlib.sha256(payload.encode()).hexdigest()[:32]

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        db.execute(
            "INSERT OR IGNORE INTO quarantine (record_id, seq, terminal_id, border_post, "
            "recorded_at, queued_at, imported, payload, attempts, reason, quarantined_at) "
            "VALUES (?, -1, ?, ?, ?, ?, 1, ?, 0, ?, ?)",
            (rid, text("terminal_id"), text("border_post"), text("recorded_at"), time.time(),
             payload, f"import: {reason}", time.time()),
        )

    def _known_ids(self, ids: Sequence[Any]) -> set[str]:
        wanted = [i for i in ids if isinstance(i, str)]
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        found: set[str] = set()
        for table in ("outbox", "sent", "quarantine"):
            sql = f"SELECT record_id FROM {table} WHERE record_id IN ({marks})"  # noqa: S608
            found.update(r[0] for r in self._query(sql, wanted))
        return found

    def status(self) -> OutboxStatus:
        """Counts for `imdms outbox status`, the heartbeat and the UI."""
        # COUNT(*) alone uses the small record_id index; the oldest is the lowest seq
        pending = self._query("SELECT COUNT(*) FROM outbox")[0][0]
        first = self._query("SELECT queued_at FROM outbox ORDER BY seq LIMIT 1")
        oldest = first[0][0] if first else None
        quarantined = self._query("SELECT COUNT(*) FROM quarantine")[0][0]
        row = self._query("SELECT value FROM meta WHERE key = 'last_error'")
        return OutboxStatus(
            pending=pending,
            quarantined=quarantined,
            oldest_age_s=None if oldest is None else max(0.0, time.time() - oldest),
            last_error=row[0][0] if row else None,
        )

    def quarantine_reasons(self) -> dict[str, int]:
        """Quarantined records counted by reason (reasons hold no personal data)."""
        rows = self._query("SELECT reason, COUNT(*) FROM quarantine GROUP BY reason")
        return {reason: count for reason, count in rows}

    def recent(self, n: int = 10) -> list[RecentRecord]:
        """The booth's latest n records, newest first (pending, sent or quarantined)."""
        # one indexed "newest n" per table, merged here: a UNION would sort the whole backlog
        rows: list[tuple[int, str, str, str, str | None]] = []
        for table, state in (("outbox", "pending"), ("quarantine", "quarantined"),
                             ("sent", "sent")):
            sql = (f"SELECT seq, record_id, recorded_at, ?, payload FROM {table} "  # noqa: S608
                   "ORDER BY seq DESC LIMIT ?")
            rows += self._query(sql, (state, n))
        rows.sort(key=lambda r: r[0], reverse=True)
        return [
            RecentRecord(rid, at, state, json.loads(payload) if payload else None)
            for _seq, rid, at, state, payload in rows[:n]
        ]

    def iter_all(self, chunk: int = 1000) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every stored-but-unforwarded record (pending then quarantined): (state, dict)."""
        for table, state in (("outbox", "pending"), ("quarantine", "quarantined")):
            last = -1
            while True:
                rows = self._query(
                    f"SELECT seq, payload FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?",  # noqa: S608
                    (last, chunk),
                )
                if not rows:
                    break
                for seq, payload in rows:
                    last = seq
                    yield state, json.loads(payload)

    def requeue(self) -> int:
        """Move quarantined records back to pending (after the cause was fixed).

        Imported records that failed the schema (seq -1) stay: they would fail again."""
        with self._tx() as db:
            count = db.execute(
                "INSERT OR IGNORE INTO outbox (seq, record_id, terminal_id, border_post, "
                "recorded_at, queued_at, imported, payload) SELECT seq, record_id, terminal_id, "
                "border_post, recorded_at, queued_at, imported, payload FROM quarantine "
                "WHERE seq > 0"
            ).rowcount
            db.execute("DELETE FROM quarantine WHERE seq > 0")
        return count

    # -- the forwarder's side ----------------------------------------------------------------

    def max_seq(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM outbox")[0][0])

    def fetch(
        self, after: int, limit: int, *, upto: int | None = None, live: bool = False
    ) -> list[Row]:
        """Pending, non-suspect rows in seq order.

        live=False (backlog lane): seq in (after, upto] or imported; live=True: seq > after and
        not imported."""
        cols = "seq, record_id, terminal_id, border_post, payload, attempts"
        if live:
            sql = f"SELECT {cols} FROM outbox WHERE seq > ? AND imported = 0 AND suspect = 0 ORDER BY seq LIMIT ?"  # noqa: E501,S608
            params: tuple[Any, ...] = (after, limit)
        else:
            sql = f"SELECT {cols} FROM outbox WHERE seq > ? AND (seq <= ? OR imported = 1) AND suspect = 0 ORDER BY seq LIMIT ?"  # noqa: E501,S608
            params = (after, upto if upto is not None else 2**62, limit)
        return [Row(*r) for r in self._query(sql, params)]

    def due_suspects(self, now: float, limit: int = 500) -> list[Row]:
        """Suspects whose retry time has come, oldest first (each to be published alone)."""
        rows = self._query(
            "SELECT seq, record_id, terminal_id, border_post, payload, attempts FROM outbox "
            "WHERE suspect = 1 AND (retry_at <= ? OR retry_at > ?) ORDER BY seq LIMIT ?",
            (now, now + MAX_RETRY_S, limit),
        )
        return [Row(*r) for r in rows]

    def next_retry_at(self) -> float | None:
        row = self._query("SELECT MIN(retry_at), MAX(retry_at) FROM outbox WHERE suspect = 1")
        if not row or row[0][0] is None:
            return None
        now = time.time()
        if row[0][1] > now + MAX_RETRY_S:  # the wall clock went back (e.g. NTP after boot)
            return now
        return float(row[0][0])

    def mark_sent(self, seqs: Sequence[int]) -> None:
        """Delete acknowledged rows in one transaction, leaving tombstones. Only after PUBACK."""
        if not seqs:
            return
        now = time.time()
        with self._tx() as db:
            for start in range(0, len(seqs), 500):
                part = seqs[start : start + 500]
                marks = ",".join("?" * len(part))
                db.execute(
                    "INSERT OR IGNORE INTO sent (record_id, seq, recorded_at, sent_at, payload) "
                    f"SELECT record_id, seq, recorded_at, ?, payload FROM outbox WHERE seq IN ({marks})",  # noqa: E501,S608
                    (now, *part),
                )
                db.execute(f"DELETE FROM outbox WHERE seq IN ({marks})", part)  # noqa: S608
            db.execute(
                "UPDATE sent SET payload = NULL WHERE payload IS NOT NULL AND seq <= ?",
                (max(seqs) - KEEP_SENT,),
            )

    def mark_failed(self, seq: int, reason: str, *, count: bool, retry_in_s: float) -> bool:
        """Make a row a suspect (published alone later); count=True adds an attempt.

        Returns True when the row reached `quarantine_after` and was moved to quarantine.
        `reason` must not contain personal data (it is shown and logged)."""
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET suspect = 1, attempts = attempts + ?, retry_at = ?, "
                "last_error = ? WHERE seq = ?",
                (int(count), time.time() + retry_in_s, reason, seq),
            )
            row = db.execute("SELECT attempts FROM outbox WHERE seq = ?", (seq,)).fetchone()
            if row and row[0] >= self.quarantine_after:
                self._quarantine(db, seq, reason)
                return True
            self._set_meta(db, "last_error", reason)
        return False

    def mark_suspects(self, seqs: Sequence[int]) -> None:
        """Rows that were in flight when the link dropped: re-publish each alone, now.

        No attempt is counted: the drop may have had nothing to do with them."""
        if not seqs:
            return
        now = time.time()
        with self._tx() as db:
            db.executemany(
                "UPDATE outbox SET suspect = 1, retry_at = ? WHERE seq = ?",
                [(now, seq) for seq in seqs],
            )

    def quarantine(self, seq: int, reason: str) -> None:
        """Move a row to quarantine now (e.g. larger than the broker accepts)."""
        with self._tx() as db:
            self._quarantine(db, seq, reason)

    def _quarantine(self, db: sqlite3.Connection, seq: int, reason: str) -> None:
        db.execute(
            "INSERT OR REPLACE INTO quarantine (record_id, seq, terminal_id, border_post, "
            "recorded_at, queued_at, imported, payload, attempts, reason, quarantined_at) "
            "SELECT record_id, seq, terminal_id, border_post, recorded_at, queued_at, imported, "
            "payload, attempts, ?, ? FROM outbox WHERE seq = ?",
            (reason, time.time(), seq),
        )
        db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
        self._set_meta(db, "last_error", f"quarantined a record: {reason}")

    def clear_suspect(self, seq: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET suspect = 0 WHERE seq = ?", (seq,))

    def set_last_error(self, message: str | None) -> None:
        with self._tx() as db:
            self._set_meta(db, "last_error", message)

    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: str | None) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def prune_sent(self, older_than_days: float = SENT_RETENTION_DAYS) -> int:
        with self._tx() as db:
            cutoff = time.time() - older_than_days * 86400
            return db.execute("DELETE FROM sent WHERE sent_at < ?", (cutoff,)).rowcount

    def close(self) -> None:
        """Close the database (idempotent)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
