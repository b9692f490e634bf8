"""The outbox's SQLite tables and the small value types it returns (see messaging/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCHEMA_SQL = """
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
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_suspect ON outbox(retry_at) WHERE suspect = 1;
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
    quarantined_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_seq ON quarantine(seq);
CREATE TABLE IF NOT EXISTS sent (
    record_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    sent_at REAL NOT NULL,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS sent_seq ON sent(seq);
CREATE INDEX IF NOT EXISTS sent_payload ON sent(seq) WHERE payload IS NOT NULL;
CREATE INDEX IF NOT EXISTS sent_time ON sent(sent_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    quarantined: int
    oldest_age_s: float | None
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pending": self.pending,
            "quarantined": self.quarantined,
            "oldest_age_s": None if self.oldest_age_s is None else round(self.oldest_age_s, 1),
            "last_error": self.last_error,
        }


@dataclass(frozen=True, slots=True)
class RecentRecord:
    """One of the booth's latest records: state is "pending", "sent" or "quarantined".

    `record` is the record dict (personal data: for the screen only, never for logs); None for
    older sent records whose payload was pruned."""

    record_id: str
    recorded_at: str
    state: str
    record: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Row:
    """A pending row as the forwarder sees it."""

    seq: int
    record_id: str
    terminal_id: str
    border_post: str
    payload: str
    attempts: int
