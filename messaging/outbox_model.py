"""The outbox's SQLite tables and the small value types it returns (see messaging/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

SCHEMA_VERSION = 4  # PRAGMA user_version; 0 = files made before kinds and id-only tombstones
# (2 = before receipts: receipt_due and sends; 3 = before the audit-event index)

# `kind` is "crossing" or "audit" (the topic the forwarder publishes to).
# `receipt_due` is set once the broker acknowledged the row while receipts are on: the row then
# awaits the collector's receipt until that time; `sends` counts those acknowledged sends and
# `forwarded_at`/`last_sent_at` the first and the latest one's time.
# `sent` keeps only what import idempotence needs: the id (16 bytes for a UUID) and the day.
TABLES_SQL = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL UNIQUE,
    terminal_id TEXT NOT NULL,
    border_post TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    queued_at REAL NOT NULL,
    imported INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    suspect INTEGER NOT NULL DEFAULT 0,
    retry_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    kind TEXT NOT NULL DEFAULT 'crossing',
    receipt_due REAL,
    sends INTEGER NOT NULL DEFAULT 0,
    forwarded_at REAL,
    last_sent_at REAL
);
CREATE TABLE IF NOT EXISTS quarantine (
    record_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    terminal_id TEXT NOT NULL,
    border_post TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    queued_at REAL NOT NULL,
    imported INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    quarantined_at REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT 'crossing'
);
CREATE TABLE IF NOT EXISTS sent (
    record_id BLOB PRIMARY KEY,
    sent_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)
"""

INDEXES_SQL = """
CREATE INDEX IF NOT EXISTS outbox_suspect ON outbox(retry_at) WHERE suspect = 1;
CREATE INDEX IF NOT EXISTS outbox_recorded ON outbox(recorded_at);
CREATE INDEX IF NOT EXISTS quarantine_seq ON quarantine(seq);
CREATE INDEX IF NOT EXISTS outbox_audit ON outbox(seq) WHERE kind = 'audit';
CREATE INDEX IF NOT EXISTS outbox_receipt ON outbox(receipt_due) WHERE receipt_due IS NOT NULL
"""


def statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """`pending` counts every row still to send: crossings and audit events (`pending_audit` of
    them; `crossings_pending` the rest). `quarantined` counts every quarantined record;
    `rejected_imports` those of them that an import refused (invalid records, kept for
    inspection): not the broker's doing."""

    pending: int
    quarantined: int
    oldest_age_s: float | None  # from the oldest pending record's recorded_at
    last_error: str | None
    rejected_imports: int = 0
    awaiting_receipt: int = 0  # of `pending`: acknowledged by the broker, no receipt yet
    oldest_unreceipted_age_s: float | None = None  # since the first send of the oldest of them
    pending_audit: int = 0  # of `pending`: audit events (not crossings)

    @property
    def crossings_pending(self) -> int:
        """Crossing records still to send (or awaiting receipt): `pending` minus audit events."""
        return self.pending - self.pending_audit

    def to_dict(self) -> dict[str, Any]:
        age = self.oldest_unreceipted_age_s
        return {
            "pending": self.pending,
            "pending_crossings": self.crossings_pending,
            "pending_audit": self.pending_audit,
            "awaiting_receipt": self.awaiting_receipt,
            "oldest_unreceipted_age_s": None if age is None else round(age, 1),
            "quarantined": self.quarantined,
            "rejected_imports": self.rejected_imports,
            "oldest_age_s": None if self.oldest_age_s is None else round(self.oldest_age_s, 1),
            "last_error": self.last_error,
        }


@dataclass(frozen=True, slots=True)
class QuarantinedRecord:
    """One quarantined record as `imdms outbox status --json` lists it (no personal data)."""

    record_id: str
    kind: str
    reason: str
    quarantined_at: float
    imported: bool

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "kind": self.kind, "reason": self.reason,
                "quarantined_at": round(self.quarantined_at, 3), "imported": self.imported}


@dataclass(frozen=True, slots=True)
class AddResult:
    """The outcome of one record of `Outbox.add_many`: queued, known (already stored, pending,
    sent or quarantined: nothing done) or rejected (`reason` names fields, never values)."""

    record_id: str | None
    state: Literal["queued", "known", "rejected"]
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """A pending row as the forwarder sees it; kind "audit" goes to the audit topic."""

    seq: int
    record_id: str
    terminal_id: str
    border_post: str
    payload: str
    attempts: int
    kind: str = "crossing"
