"""End-to-end commit receipts (docs/messaging.md, "Commit receipts").

The collector publishes, after each database commit, the ids it committed (stored, or already
stored: a re-send) to each terminal's receipt topic, QoS 1:

    <prefix>/<border_post>/<terminal_id>/receipt   {"ids": ["<record_id or event_id>", ...]}

A terminal with `[outbox] receipts = true` keeps each record the broker acknowledged as
"awaiting receipt" (payload kept) until its id comes back; then it becomes the id-only
tombstone. Without a receipt by `receipt_due` it is sent again (same id: the collector dedups),
the wait doubling and jittered per send; after `attempts` acknowledged sends without a receipt
it moves to quarantine with the reason 'never receipted' (kept, never dropped), but only once
a receipt arrived after its last send: while central is silent (collector down) nothing is
counted against a record, which is sent again at most hourly instead.

This module holds the wire format and the outbox's receipt state changes (SQL run inside the
caller's transaction); messaging/outbox_forwarding.py exposes them, the forwarder drives them.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from messaging import outbox_db

NEVER_RECEIPTED = "never receipted"
MAX_IDS = 500  # ids per receipt message (~20 KB of JSON): far under any broker's packet limit
MAX_ID_CHARS = 128


@dataclass(frozen=True, slots=True)
class ReceiptPolicy:
    """How long a forwarded record waits for its receipt, and how many sends it gets."""

    timeout_s: float = 60.0
    attempts: int = 5
    max_wait_s: float = 3600.0

    def wait_s(self, sends: int) -> float:
        """Wait after the `sends`-th acknowledged send: doubling, jittered, capped."""
        base = self.timeout_s * 2.0 ** max(0, sends - 1)
        return min(base * random.uniform(0.75, 1.25), self.max_wait_s)


def encode(ids: Sequence[str]) -> list[bytes]:
    """Receipt payloads for `ids`, at most MAX_IDS each."""
    return [json.dumps({"ids": list(ids[i : i + MAX_IDS])}, separators=(",", ":")).encode()
            for i in range(0, len(ids), MAX_IDS)]


def decode(payload: bytes) -> list[str]:
    """The ids of one receipt. Raises ValueError (the message holds no personal data: ids
    only, but the reason names no value anyway)."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError("receipt is not JSON") from err
    ids = data.get("ids") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not all(
        isinstance(i, str) and 0 < len(i) <= MAX_ID_CHARS for i in ids
    ):
        raise ValueError("receipt has no list of ids")
    return ids


# -- the outbox's receipt state (run inside ForwardingStore._tx) ---------------------------------

def mark_forwarded(db: sqlite3.Connection, seqs: Sequence[int], policy: ReceiptPolicy) -> None:
    """The broker acknowledged these rows: they await their receipt (one more send counted)."""
    now = time.time()
    for start in range(0, len(seqs), 500):
        part = list(seqs[start : start + 500])
        marks = ",".join("?" * len(part))
        rows = db.execute(f"SELECT seq, sends FROM outbox WHERE seq IN ({marks})",  # noqa: S608
                          part).fetchall()
        db.executemany(
            "UPDATE outbox SET sends = ?, receipt_due = ?, suspect = 0, "
            "forwarded_at = COALESCE(forwarded_at, ?), last_sent_at = ? WHERE seq = ?",
            [(sends + 1, now + policy.wait_s(sends + 1), now, now, seq) for seq, sends in rows],
        )


def mark_receipted(db: sqlite3.Connection, ids: Iterable[str]) -> int:
    """Committed centrally: delete the rows (any state), leave tombstones. Also takes back a
    record quarantined as never receipted whose receipt came late. Returns rows deleted."""
    ids = list(ids)
    now = int(time.time())
    done = 0
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        done += db.execute(f"DELETE FROM outbox WHERE record_id IN ({marks})",  # noqa: S608
                           part).rowcount
        done += db.execute(f"DELETE FROM quarantine WHERE reason = ? AND record_id IN ({marks})",  # noqa: S608,E501
                           [NEVER_RECEIPTED, *part]).rowcount
        db.executemany("INSERT OR IGNORE INTO sent (record_id, sent_at) VALUES (?, ?)",
                       [(outbox_db.sent_key(r), now) for r in part])
    return done


def claim_due(db: sqlite3.Connection, now: float, limit: int, policy: ReceiptPolicy,
              receipt_seen_at: float | None) -> tuple[list[int], list[int]]:
    """Rows whose receipt is overdue: (seqs to send again, seqs that used their attempts).

    A row counts as spent only when a receipt (for other records) was seen after its last
    send (`receipt_seen_at`): the collector was alive and committed others, not this one.

    The ones to send get a provisional due time (one timeout away) so that the next call does
    not pick them again while they are in flight; their PUBACK sets the real one."""
    rows = db.execute(
        "SELECT seq, sends, last_sent_at FROM outbox WHERE receipt_due IS NOT NULL "
        "AND receipt_due <= ? ORDER BY seq LIMIT ?", (now, limit)).fetchall()
    seen = receipt_seen_at if receipt_seen_at is not None else float("-inf")
    spent = [seq for seq, sends, last in rows if sends >= policy.attempts and (last or 0) < seen]
    taken = set(spent)
    resend = [seq for seq, _s, _l in rows if seq not in taken]
    db.executemany("UPDATE outbox SET receipt_due = ? WHERE seq = ?",
                   [(now + policy.timeout_s, seq) for seq in resend])
    return resend, spent


# (rows awaiting a receipt, first-send time of the oldest of them)
AWAITING_SQL = ("SELECT COUNT(*), MIN(forwarded_at) FROM outbox WHERE receipt_due IS NOT NULL")
