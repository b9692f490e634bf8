"""The durable outbox: every crossing (and booth audit event) is stored here, in one synced
transaction, before the officer sees "saved"; the forwarder deletes a row only after the broker's
PUBACK.

SQLite in WAL mode with synchronous=FULL; the file and its -wal/-shm are mode 0600 (they hold
personal data). The file is only ever opened by SQLite (messaging/outbox_db.py says why). Tables:

- `outbox`: pending records, `seq` gives the local order, `kind` is "crossing", "audit" or
  an add_event kind ("watchlist_hit").
  `suspect`/`attempts` let the forwarder isolate a record the broker keeps rejecting.
- `quarantine`: records rejected `quarantine_after` times, with the reason. Kept, never dropped;
  `requeue()` puts them back. Invalid imported records are kept here too (seq -1, never requeued).
- `sent`: one tombstone per forwarded record (its id and the time, no payload). It makes imports
  idempotent and is pruned after `sent_retention_days` by `maintain()`.

Disk: the WAL is bounded (journal_size_limit, frequent checkpoints); freed pages are returned to
the file system by incremental vacuum in `maintain()`. The floor counts what SQLite can still
write: free space plus free pages plus the reusable part of the WAL.

One connection per Outbox guarded by a lock: the UI thread and a worker may share an instance.
Several processes (terminal and forwarder) may open the same file: WAL lets them. The
connection and the forwarder's side live in messaging/outbox_forwarding.py; this module adds
the terminal's side (validation, the disk floor, adds, imports, status).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from imdms.errors import DiskFullError, OutboxError, SchemaError
from messaging import outbox_db, receipts
from messaging.audit import is_audit, validate_audit
from messaging.outbox_forwarding import BATCH, SENT_RETENTION_DAYS, ForwardingStore
from messaging.outbox_model import AddResult, OutboxStatus, QuarantinedRecord, Row
from messaging.seal import Sealer, is_sealed
from records.record import CrossingRecord
from records.schema import validate_record
from records.schema_v2 import validate_sealed

__all__ = ["AddResult", "DiskFullError", "Outbox", "OutboxStatus", "QuarantinedRecord", "Row"]
log = logging.getLogger(__name__)

MIB = 1024 * 1024
SAVE_HINT = "try again; if it repeats, record on paper and call the technician"

FreeBytes = Callable[[Path], int]


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(path).free


def _is_full(err: sqlite3.Error) -> bool:
    return getattr(err, "sqlite_errorcode", None) == 13 or "full" in str(err)  # SQLITE_FULL


class Outbox(ForwardingStore):
    """The durable store of records awaiting forwarding.

    Args:
        path: the SQLite file; its folder is created 0700 when missing.
        disk_floor_mb: `add()` raises DiskFullError when less than this (MiB) can still be
            written: file-system free space plus space SQLite can reuse inside its files.
        max_record_bytes: largest accepted record (bytes of JSON); larger ones raise OutboxError.
        quarantine_after: failed publishes after which the forwarder quarantines a record.
        sent_retention_days: how long `maintain()` keeps the tombstones of forwarded records.
        free_bytes: free-space probe (tests inject a fake).
        sealer: seals each crossing's personal fields to the centre before it is stored
            (messaging/seal.py); None stores crossing-v1 as given (tests, tools).
    Raises OutboxError when the file cannot be opened.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        disk_floor_mb: int = 200,
        max_record_bytes: int = 16384,
        quarantine_after: int = 5,
        sent_retention_days: float = SENT_RETENTION_DAYS,
        free_bytes: FreeBytes = _free_bytes,
        sealer: Sealer | None = None,
    ) -> None:
        super().__init__(path, quarantine_after=quarantine_after,
                         sent_retention_days=sent_retention_days)
        self.disk_floor_mb = disk_floor_mb
        self.max_record_bytes = max_record_bytes
        self._free_bytes = free_bytes
        self.sealer = sealer

    def twin(self) -> Outbox:
        """Another connection to the same file, with the same settings (for a thread that must
        not wait on this one's lock, e.g. the forwarder's committer). Opened by SQLite only, so
        safe beside this one in the same process."""
        return Outbox(self.path, disk_floor_mb=self.disk_floor_mb,
                      max_record_bytes=self.max_record_bytes,
                      quarantine_after=self.quarantine_after,
                      sent_retention_days=self.sent_retention_days, free_bytes=self._free_bytes,
                      sealer=self.sealer)

    def free_mb(self) -> float:
        """File-system free space where the outbox lives (MiB)."""
        return self._free_bytes(self.path.parent) / MIB

    def writable_mb(self) -> float:
        """What the outbox can still write (MiB): free space plus free pages and the WAL beyond
        its limit, minus what the WAL may still grow to reach it (outbox_db.reusable_bytes)."""
        free = self._free_bytes(self.path.parent)
        with self._lock:
            if self._closed:
                raise OutboxError("the outbox is closed", "this is a software fault; restart")
            free += outbox_db.reusable_bytes(self._db, self.path)
        return free / MIB

    def _check_disk(self) -> None:
        floor = self.disk_floor_mb
        if self._free_bytes(self.path.parent) >= floor * MIB + outbox_db.WAL_LIMIT_BYTES:
            return  # the common case: no checkpoint, no page counts
        try:
            writable = self.writable_mb()
        except sqlite3.Error:
            writable = self.free_mb() - outbox_db.WAL_LIMIT_BYTES / MIB
        if writable < floor:
            raise DiskFullError(
                f"disk almost full ({max(0.0, writable):.1f} MiB left for the outbox, floor "
                f"{floor} MiB): the crossing was NOT saved",
                "record this traveller on paper and call the technician to free disk space; "
                "crossings already saved are safe and are sent when the link is up",
            )

    def _full(self, err: sqlite3.Error) -> OutboxError:
        if _is_full(err):
            return DiskFullError(
                "disk full: the crossing was NOT saved",
                "record this traveller on paper and call the technician to free disk space; "
                "crossings already saved are safe",
            )
        return OutboxError(f"the crossing could not be saved: {err.__class__.__name__}",
                           SAVE_HINT)

    def _encode(self, data: Mapping[str, Any], kind: str = "crossing") -> str:
        """Validate (schema and poison) and serialise. Raises SchemaError, OutboxError."""
        if not isinstance(data, Mapping):
            raise SchemaError("record is not a JSON object", "give a record object")
        if kind == "audit":
            validate_audit(data)
        elif kind != "crossing":  # an event (add_event's kinds): its own parser
            self._check_event(kind, data)
        elif is_sealed(data):
            validate_sealed(dict(data))
        else:
            validate_record(dict(data))
            if self.sealer is not None:  # before the record touches the disk
                data = self.sealer.seal_record(data)
        try:
            payload = json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise SchemaError(f"record cannot be serialised ({err.__class__.__name__})",
                              "this is a software fault; report it to the technician") from err
        size = len(payload.encode("utf-8"))
        if size > self.max_record_bytes:
            raise OutboxError(
                f"record too large ({size} bytes, limit {self.max_record_bytes}): not saved",
                "shorten the notes and save again",
            )
        return payload

    def _known(self, db: sqlite3.Connection, record_id: str) -> bool:
        for table in ("outbox", "quarantine"):
            sql = f"SELECT 1 FROM {table} WHERE record_id = ?"  # noqa: S608 (fixed names)
            if db.execute(sql, (record_id,)).fetchone():
                return True
        key = outbox_db.sent_key(record_id)
        return db.execute("SELECT 1 FROM sent WHERE record_id = ?", (key,)).fetchone() is not None

    def _insert(self, db: sqlite3.Connection, data: Mapping[str, Any], payload: str,
                imported: bool, kind: str = "crossing") -> bool:
        event = kind != "crossing"  # audit and add_event kinds: id and time of the event
        rid = data["event_id"] if event else data["record_id"]
        if self._known(db, rid):
            return False
        at = data["occurred_at"] if event else data["recorded_at"]
        db.execute(
            "INSERT INTO outbox (record_id, terminal_id, border_post, recorded_at, queued_at, "
            "imported, payload, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (rid, data["terminal_id"], data["border_post"], at, time.time(), int(imported),
             payload, kind),
        )
        return True

    def _store(self, data: Mapping[str, Any], payload: str, imported: bool, kind: str) -> bool:
        self._check_disk()
        try:
            with self._tx() as db:
                return self._insert(db, data, payload, imported, kind)
        except sqlite3.Error as err:
            raise self._full(err) from err

    # -- the terminal's side -----------------------------------------------------------------

    def add(self, record: CrossingRecord) -> None:
        """Validate and store one record durably (returns after the synced COMMIT).

        Adding a record_id already stored (pending, sent or quarantined) does nothing.
        Raises SchemaError (invalid record, or text the broker or collector cannot carry: NUL,
        lone surrogates), OutboxError (too large, database error), DiskFullError (below the
        floor, or the disk filled; nothing stored is affected).
        """
        self.add_dict(record.to_dict())

    def add_dict(self, data: dict[str, Any], *, imported: bool = False) -> bool:
        """As add() for a record dict; True when it was queued, False when already known."""
        return self._store(data, self._encode(data), imported, "crossing")

    def add_audit(self, event: dict[str, Any]) -> None:
        """Store one audit event (from messaging.audit.make_audit_event) durably, as add() does
        a crossing; it is forwarded to the audit topic. Same errors as add()."""
        self._store(event, self._encode(event, "audit"), False, "audit")

    @staticmethod
    def _check_event(kind: str, event: Mapping[str, Any]) -> None:
        from messaging.watchlist_hit import KIND as HIT
        from messaging.watchlist_hit import parse_hit

        checks = {HIT: parse_hit}  # EVENT_KINDS: kind -> its parser (raises ValueError)
        fault = "this is a software fault; report it to the technician"
        if kind not in checks:
            raise SchemaError(f"unknown event kind {kind!r}", fault)
        try:
            checks[kind](json.dumps(dict(event), sort_keys=True).encode("utf-8"))
        except (TypeError, ValueError) as err:  # the parsers name fields, never values
            raise SchemaError(str(err), fault) from None

    def add_event(self, kind: str, event: dict[str, Any]) -> None:
        """Store one event of another kind (EVENT_KINDS: a watchlist hit) durably, as
        add_audit does; the forwarder maps `kind` to its topic. Raises SchemaError for an
        unknown kind or an event its parser refuses, else the same errors as add()."""
        from messaging.watchlist_hit import KIND as HIT
        from messaging.watchlist_hit import parse_hit

        checks = {HIT: parse_hit}  # EVENT_KINDS: kind -> its parser (raises ValueError)
        fault = "this is a software fault; report it to the technician"
        if kind not in checks:
            raise SchemaError(f"unknown event kind {kind!r}", fault)
        payload = json.dumps(event, separators=(",", ":"), sort_keys=True, allow_nan=False)
        try:
            checks[kind](payload.encode("utf-8"))
        except ValueError as err:  # the parsers name fields, never values
            raise SchemaError(str(err), fault) from None
        self._store(event, payload, False, kind)

    def add_many(
        self, records: Iterable[CrossingRecord | Mapping[str, Any]], *, imported: bool = False,
        keep_rejected: bool = False,
    ) -> list[AddResult]:
        """Store many records (crossings and audit events), one synced transaction per 500.

        Returns one AddResult per record, in order: queued, known (already stored) or rejected
        with the reason (invalid, poison, too large). keep_rejected=True keeps rejected records
        in quarantine (seq -1, never requeued: an import must lose nothing). imported=True sends
        them in the backlog lane. Raises DiskFullError (nothing of that batch stored)."""
        results: list[AddResult] = []
        batch: list[CrossingRecord | Mapping[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                results += self._add_batch(batch, imported, keep_rejected)
                batch = []
        if batch:
            results += self._add_batch(batch, imported, keep_rejected)
        return results

    def _add_batch(self, batch: Sequence[CrossingRecord | Mapping[str, Any]], imported: bool,
                   keep_rejected: bool) -> list[AddResult]:
        items = [r.to_dict() if isinstance(r, CrossingRecord) else r for r in batch]
        # known ids are skipped before the (slow) schema check: a re-import is quick
        seen = self._known_ids([_id_of(d) for d in items])
        out: list[AddResult | None] = []
        todo: list[tuple[int, Mapping[str, Any], str, str]] = []
        rejected: list[tuple[Mapping[str, Any], str]] = []
        for index, data in enumerate(items):
            rid = _id_of(data)
            if rid is not None and rid in seen:
                out.append(AddResult(rid, "known"))
                continue
            kind = _kind_of(data)
            try:
                todo.append((index, data, self._encode(data, kind), kind))
                out.append(None)
            except (SchemaError, OutboxError) as err:
                out.append(AddResult(rid, "rejected", err.message))
                rejected.append((data, err.message))
        if todo or (keep_rejected and rejected):
            self._check_disk()
            try:
                with self._tx() as db:
                    if keep_rejected:
                        for data, reason in rejected:
                            self._quarantine_invalid(db, data, reason)
                    for index, data, payload, kind in todo:
                        stored = self._insert(db, data, payload, imported, kind)
                        out[index] = AddResult(_id_of(data), "queued" if stored else "known")
            except sqlite3.Error as err:
                raise self._full(err) from err
        return [r for r in out if r is not None]

    def import_records(
        self, records: Iterable[dict[str, Any]], progress: Callable[[int], None] | None = None
    ) -> tuple[int, int, int]:
        """Queue exported records, keeping their terminal_id and record_id.

        Returns (queued, already_known, rejected); rejected records are kept in quarantine
        (never queued). A second import of the same file queues nothing. Raises DiskFullError.
        """
        counts = {"queued": 0, "known": 0, "rejected": 0}
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            for result in self.add_many(batch, imported=True, keep_rejected=True):
                counts[result.state] += 1
            batch.clear()
            if progress:
                progress(sum(counts.values()))

        for data in records:
            batch.append(data)
            if len(batch) >= BATCH:
                flush()
        flush()
        return counts["queued"], counts["known"], counts["rejected"]

    def _quarantine_invalid(
        self, db: sqlite3.Connection, data: Mapping[str, Any], reason: str
    ) -> None:
        """A rejected imported record: quarantined with seq -1 (never requeued)."""
        try:
            payload = json.dumps(data, separators=(",", ":"), sort_keys=True, default=repr)
        except (TypeError, ValueError):
            payload = json.dumps(repr(data))
        if self.sealer is not None:  # an invalid record may still hold personal data
            sealed = self.sealer.seal_bytes(payload.encode("utf-8", "surrogatepass"))
            payload = json.dumps({"sealed_invalid": sealed}, sort_keys=True)
        rid = _id_of(data) or "invalid-" + hashlib.sha256(payload.encode()).hexdigest()[:32]

        def text(key: str) -> str:
            value = data.get(key) if isinstance(data, Mapping) else None
            if isinstance(value, str) and len(value) <= 64 and value.isascii() \
                    and value.isprintable():
                return value
            return ""

        db.execute(
            "INSERT OR IGNORE INTO quarantine (record_id, seq, terminal_id, border_post, "
            "recorded_at, queued_at, imported, payload, attempts, reason, quarantined_at, kind) "
            "VALUES (?, -1, ?, ?, ?, ?, 1, ?, 0, ?, ?, ?)",
            (rid, text("terminal_id"), text("border_post"), text("recorded_at"), time.time(),
             payload, f"import: {reason}", time.time(),
             "audit" if isinstance(data, Mapping) and is_audit(data) else "crossing"),
        )

    def _known_ids(self, ids: Sequence[str | None]) -> set[str]:
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        found: set[str] = set()
        for table in ("outbox", "quarantine"):
            sql = f"SELECT record_id FROM {table} WHERE record_id IN ({marks})"  # noqa: S608
            found.update(r[0] for r in self._query(sql, wanted))
        keys = {outbox_db.sent_key(i): i for i in wanted}
        marks = ",".join("?" * len(keys))
        rows = self._query(f"SELECT record_id FROM sent WHERE record_id IN ({marks})",  # noqa: S608
                           list(keys))
        found.update(keys[r[0]] for r in rows)
        return found

    def status(self) -> OutboxStatus:
        """Counts for `imdms outbox status`, the heartbeat and the UI.

        The oldest age is measured from the oldest pending record's recorded_at (an imported
        record made weeks ago is weeks old, however recently it was queued)."""
        pending = self._query("SELECT COUNT(*) FROM outbox")[0][0]
        # audit events counted apart: the booth's "to send" means crossings (a partial index)
        audit = self._query("SELECT COUNT(*) FROM outbox WHERE kind = 'audit'")[0][0]
        first = self._query("SELECT MIN(recorded_at) FROM outbox")[0][0]
        quarantined = self._query("SELECT COUNT(*) FROM quarantine")[0][0]
        rejected = self._query("SELECT COUNT(*) FROM quarantine WHERE seq = -1")[0][0]
        row = self._query("SELECT value FROM meta WHERE key = 'last_error'")
        oldest = _epoch(first) if first else None
        awaiting, first_sent = self._query(receipts.AWAITING_SQL)[0]
        now = time.time()
        return OutboxStatus(
            pending=pending,
            quarantined=quarantined,
            oldest_age_s=None if oldest is None else max(0.0, now - oldest),
            last_error=row[0][0] if row else None,
            rejected_imports=rejected,
            awaiting_receipt=awaiting,
            oldest_unreceipted_age_s=None if first_sent is None else max(0.0, now - first_sent),
            pending_audit=audit,
        )

    def quarantine_reasons(self) -> dict[str, int]:
        """Quarantined records counted by reason (reasons hold no personal data)."""
        rows = self._query("SELECT reason, COUNT(*) FROM quarantine GROUP BY reason")
        return {reason: count for reason, count in rows}

    def quarantined(self, limit: int = 1000) -> list[QuarantinedRecord]:
        """Quarantined records (ids, kinds and reasons, oldest first; no payloads)."""
        rows = self._query("SELECT record_id, kind, reason, quarantined_at, imported "
                           "FROM quarantine ORDER BY quarantined_at, seq LIMIT ?", (limit,))
        return [QuarantinedRecord(r[0], r[1], r[2], float(r[3]), bool(r[4])) for r in rows]

    def iter_all(self, chunk: int = 1000) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every stored-but-unforwarded record (pending then quarantined): (state, dict)."""
        for table, state in (("outbox", "pending"), ("quarantine", "quarantined")):
            last = -1  # invalid imports (seq -1) stay: their source file still holds them
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
                "recorded_at, queued_at, imported, payload, kind) SELECT seq, record_id, "
                "terminal_id, border_post, recorded_at, queued_at, imported, payload, kind "
                "FROM quarantine WHERE seq > 0"
            ).rowcount
            db.execute("DELETE FROM quarantine WHERE seq > 0")
        return count


def _id_of(data: object) -> str | None:
    """The record's id (a crossing's record_id, an audit event's event_id), if it is text."""
    if not isinstance(data, Mapping):
        return None
    rid = data.get("event_id") if _kind_of(data) != "crossing" else data.get("record_id")
    return rid if isinstance(rid, str) and rid.isprintable() and len(rid) <= 64 else None


def _kind_of(data: object) -> str:
    """An export line's kind: "audit", "watchlist_hit" (a hit event) or "crossing"."""
    from messaging.watchlist_hit import KIND as HIT

    if not isinstance(data, Mapping):
        return "crossing"
    if is_audit(data):
        return "audit"
    return HIT if data.get("kind") == HIT else "crossing"


def _epoch(iso: str) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except (TypeError, ValueError):
        return None
