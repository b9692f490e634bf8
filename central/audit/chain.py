"""Appending to the hash chain: each row's hash = SHA-256(prev_hash || canonical row).

The canonical row is the JSON array of every stored column but the hashes, `seq` included, so
an edited, deleted, moved or renumbered row breaks the chain at that point (verify.py). The
first row follows GENESIS.

Appends are serialised so two writers (two collectors, a collector and a tracer) cannot both
extend the same tail: PostgreSQL takes a transaction-scoped advisory lock; SQLite takes its
write lock before reading the tail. `seq` is the primary key, so a fork would fail to insert
rather than be stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from central.db import Database
from records.clock import utc_now_iso

GENESIS = hashlib.sha256(b"imdms audit log v1 genesis").hexdigest()
LOCK = "SELECT pg_advisory_xact_lock(hashtext('imdms-audit-chain'))"
COLUMNS = (
    "seq, at, source, kind, event_id, terminal_id, border_post, operator, reason, detail,"
    " covers_seq"
)


@dataclass(frozen=True)
class Entry:
    """One event to append (the chain adds seq, at and the hashes)."""

    source: str  # "booth" or "central"
    kind: str
    operator: str | None = None
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    event_id: str | None = None
    terminal_id: str | None = None
    border_post: str | None = None
    covers_seq: int | None = None


def canonical_detail(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row: tuple[Any, ...]) -> str:
    """The hash of one row (a tuple in COLUMNS order, as stored) after prev_hash."""
    values = [int(v) if i in (0, 10) and v is not None else v for i, v in enumerate(row)]
    body = json.dumps(values, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + body.encode("utf-8")).hexdigest()


def lock(db: Database) -> None:
    """Hold the chain's tail for the open transaction (released by commit or rollback)."""
    if db.postgres:
        db.execute(LOCK)
    else:
        # a write that changes nothing takes SQLite's write lock now, before the tail is read
        db.execute("DELETE FROM audit_log WHERE 0 = 1")


def tail(db: Database) -> tuple[int, str]:
    """(seq, hash) of the last row, (0, GENESIS) for an empty log; call under lock()."""
    rows = db.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    if not rows:
        return 0, GENESIS
    return int(rows[0][0]), str(rows[0][1])


def append(db: Database, entry: Entry, *, at: str | None = None) -> int:
    """Append one row in the open transaction (the caller commits); returns its seq.

    at: the centre's time of the event (default now, ISO 8601 UTC); tests inject their clock.
    """
    lock(db)
    seq, prev = tail(db)
    seq += 1
    row = (
        seq,
        at or utc_now_iso(),
        entry.source,
        entry.kind,
        entry.event_id,
        entry.terminal_id,
        entry.border_post,
        entry.operator,
        entry.reason,
        canonical_detail(entry.detail),
        entry.covers_seq,
    )
    db.execute(
        f"INSERT INTO audit_log ({COLUMNS}, prev_hash, hash) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row, prev, row_hash(prev, row)),
    )
    return seq


def has_event(db: Database, event_id: str) -> bool:
    return bool(db.query("SELECT 1 FROM audit_log WHERE event_id = ?", (event_id,)))


def record_view(
    db: Database,
    *,
    operator: str,
    reason: str,
    action: str,
    params: dict[str, Any],
    result_count: int,
    at: str | None = None,
) -> int:
    """Append one central view of personal data (a trace, a subject access, a case view) in
    the open transaction: who, why, what was asked and how many results. The parameters are
    personal data (a document number): they live here, never in a log line."""
    detail = {"params": params, "result_count": int(result_count)}
    return append(
        db, Entry("central", action, operator=operator, reason=reason, detail=detail), at=at
    )
