"""The outbox's connection and the forwarder's side of it: the lanes, acknowledgements,
suspects, quarantine and housekeeping. `messaging.outbox.Outbox` adds the terminal's side."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from imdms.errors import OutboxError
from messaging import outbox_db, receipts
from messaging.outbox_model import Row
from messaging.receipts import NEVER_RECEIPTED, ReceiptPolicy

log = logging.getLogger(__name__)

SENT_RETENTION_DAYS = 400
MAX_RETRY_S = 3600.0  # a retry time further ahead than this means the clock jumped back
BATCH = 500
PRUNE_EVERY_S = 3600.0
VACUUM_MIN_PAGES = 256  # ~1 MiB of free pages before maintain() gives them back


class ForwardingStore:
    """One SQLite connection to the outbox file guarded by a lock, and what the forwarder does
    with it. Raises OutboxError when the file cannot be opened."""

    def __init__(self, path: str | Path, *, quarantine_after: int = 5,
                 sent_retention_days: float = SENT_RETENTION_DAYS) -> None:
        self.path = Path(path)
        self.quarantine_after = quarantine_after
        self.sent_retention_days = sent_retention_days
        self._lock = threading.RLock()
        self._last_prune = 0.0
        try:
            self._db = outbox_db.connect(self.path)
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
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            if self._closed:
                raise OutboxError("the outbox is closed", "this is a software fault; restart")
            return self._db.execute(sql, params).fetchall()

    # -- the forwarder's side ----------------------------------------------------------------

    def max_seq(self) -> int:
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM outbox")[0][0])

    def fetch(
        self, after: int, limit: int, *, upto: int | None = None, live: bool = False
    ) -> list[Row]:
        """Pending, non-suspect rows not awaiting a receipt, in seq order.

        live=False (backlog lane): seq in (after, upto] or imported; live=True: seq > after and
        not imported."""
        cols = "seq, record_id, terminal_id, border_post, payload, attempts, kind"
        if live:
            sql = f"SELECT {cols} FROM outbox WHERE seq > ? AND imported = 0 AND suspect = 0 AND receipt_due IS NULL ORDER BY seq LIMIT ?"  # noqa: E501,S608
            params: tuple[Any, ...] = (after, limit)
        else:
            sql = f"SELECT {cols} FROM outbox WHERE seq > ? AND (seq <= ? OR imported = 1) AND suspect = 0 AND receipt_due IS NULL ORDER BY seq LIMIT ?"  # noqa: E501,S608
            params = (after, upto if upto is not None else 2**62, limit)
        return [Row(*r) for r in self._query(sql, params)]

    def due_suspects(self, now: float, limit: int = 500) -> list[Row]:
        """Suspects whose retry time has come, oldest first (each to be published alone)."""
        rows = self._query(
            "SELECT seq, record_id, terminal_id, border_post, payload, attempts, kind FROM outbox "
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
        """Delete acknowledged rows in one transaction, leaving id-only tombstones. Only after
        the PUBACK. Raises sqlite3.Error (e.g. disk full): the rows stay and are re-sent."""
        if not seqs:
            return
        now = int(time.time())
        with self._tx() as db:
            for start in range(0, len(seqs), BATCH):
                part = seqs[start : start + BATCH]
                marks = ",".join("?" * len(part))
                ids = db.execute(f"SELECT record_id FROM outbox WHERE seq IN ({marks})",  # noqa: S608
                                 part).fetchall()
                # delete first: the tombstones then take freed pages, and the file need not
                # grow on a full disk
                db.execute(f"DELETE FROM outbox WHERE seq IN ({marks})", part)  # noqa: S608
                db.executemany("INSERT OR IGNORE INTO sent (record_id, sent_at) VALUES (?, ?)",
                               [(outbox_db.sent_key(r[0]), now) for r in ids])

    # -- receipts (messaging/receipts.py) ---------------------------------------------------

    def mark_forwarded(self, seqs: Sequence[int], policy: ReceiptPolicy) -> None:
        """Acknowledged rows, with receipts on: they await their receipt (payload kept)."""
        if seqs:
            with self._tx() as db:
                receipts.mark_forwarded(db, seqs, policy)

    def mark_receipted(self, ids: Sequence[str]) -> int:
        """Ids the collector committed: their rows become tombstones. Returns rows removed."""
        if not ids:
            return 0
        with self._tx() as db:
            return receipts.mark_receipted(db, ids)

    def claim_resends(self, now: float, limit: int, policy: ReceiptPolicy,
                      receipt_seen_at: float | None = None) -> list[Row]:
        """Rows whose receipt is overdue, to publish again; those that used their attempts
        while receipts kept coming (last one at `receipt_seen_at`) move to quarantine
        ('never receipted') instead."""
        with self._tx() as db:
            resend, spent = receipts.claim_due(db, now, limit, policy, receipt_seen_at)
            for seq in spent:
                self._quarantine(db, seq, NEVER_RECEIPTED)
            marks = ",".join("?" * len(resend))
            rows = db.execute(
                "SELECT seq, record_id, terminal_id, border_post, payload, attempts, kind "  # noqa: S608
                f"FROM outbox WHERE seq IN ({marks}) ORDER BY seq", resend).fetchall() \
                if resend else []
        if spent:
            log.warning("%d records quarantined: never receipted after %d sends", len(spent),
                        policy.attempts)
        return [Row(*r) for r in rows]

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
            "recorded_at, queued_at, imported, payload, attempts, reason, quarantined_at, kind) "
            "SELECT record_id, seq, terminal_id, border_post, recorded_at, queued_at, imported, "
            "payload, attempts, ?, ?, kind FROM outbox WHERE seq = ?",
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

    def prune_sent(self, older_than_days: float | None = None) -> int:
        """Delete tombstones older than the retention (default: sent_retention_days)."""
        days = self.sent_retention_days if older_than_days is None else older_than_days
        with self._tx() as db:
            cutoff = int(time.time() - days * 86400)
            return db.execute("DELETE FROM sent WHERE sent_at < ?", (cutoff,)).rowcount

    def maintain(self) -> None:
        """Housekeeping the forwarder calls periodically (cheap when there is nothing to do):
        prunes tombstones past the retention (at most hourly), gives free pages back to the
        file system once nothing is pending (incremental vacuum; moving a backlog's pages
        would cost more than it frees), and checkpoints so the WAL is cut back to its limit.
        Never raises: a failure is logged and retried at the next call."""
        try:
            now = time.monotonic()
            if not self._last_prune or now - self._last_prune >= PRUNE_EVERY_S:
                self._last_prune = now
                if (pruned := self.prune_sent()) > 0:
                    log.info("pruned %d forwarded-record tombstones past the retention", pruned)
            with self._lock:
                if self._closed:
                    return
                db = self._db
                free = db.execute("PRAGMA freelist_count").fetchone()[0]
                idle = db.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is None
                if idle and free >= VACUUM_MIN_PAGES:
                    db.executescript("PRAGMA incremental_vacuum;")  # execute() would free one page
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                else:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except (sqlite3.Error, OutboxError) as err:
            log.warning("outbox maintenance postponed (%s)", err.__class__.__name__)

    def close(self) -> None:
        """Close the database (idempotent)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

