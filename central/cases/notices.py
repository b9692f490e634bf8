"""The notice queue in `case_notices` and the booth receipts owed (dispatcher's SQL).

Several collectors may share one PostgreSQL: a notice is claimed by moving its next try a lease
into the future, only if nobody moved it first (the UPDATE's rowcount says who won), and the
claim is committed before the send. A dispatcher that dies mid-send leaves the lease to expire,
and the notice is sent again: at least once, never lost.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from central.cases.notify import MAX_REASON, Notice
from central.db import Database
from records.clock import utc_now_iso


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    channel: str
    target: str
    attempts: int
    notice: Notice


def backoff_ms(attempts: int, min_s: float, max_s: float) -> int:
    """Wait after the `attempts`-th failed send: doubling from min_s, jittered, capped."""
    base = min(max_s, min_s * 2.0 ** max(0, attempts - 1))
    return int(base * random.uniform(0.8, 1.2) * 1000)


def claim_due(db: Database, now_ms: int, lease_ms: int, limit: int = 20) -> list[Job]:
    """Pending notices due by now_ms, claimed for lease_ms; commits the claim."""
    rows = db.query(
        "SELECT n.id, n.channel, n.target, n.attempts, n.next_ms, c.case_id, c.unit,"
        " c.border_post, c.terminal_id, c.crossed_at, c.opened_at FROM case_notices n"
        " JOIN cases c ON c.case_id = n.case_id"
        " WHERE n.state = 'pending' AND n.next_ms <= ? ORDER BY n.next_ms, n.id LIMIT ?",
        (now_ms, limit),
    )
    jobs = []
    for nid, channel, target, attempts, next_ms, *case in rows:
        cur = db.execute(
            "UPDATE case_notices SET next_ms = ? WHERE id = ? AND state = 'pending'"
            " AND next_ms = ?", (now_ms + lease_ms, nid, next_ms))
        if cur.rowcount == 1:
            jobs.append(Job(int(nid), str(channel), str(target), int(attempts),
                            Notice(*(str(v) for v in case))))
    db.commit()
    return jobs


def mark_sent(db: Database, job: Job) -> None:
    db.execute("UPDATE case_notices SET state = 'sent', attempts = ?, sent_at = ?,"
               " last_error = NULL WHERE id = ?", (job.attempts + 1, utc_now_iso(), job.id))
    db.commit()


def mark_failed(db: Database, job: Job, reason: str, next_ms: int | None) -> None:
    """A failed send: retried at next_ms, or failed for good when next_ms is None."""
    state = "pending" if next_ms is not None else "failed"
    db.execute("UPDATE case_notices SET state = ?, attempts = ?, next_ms = ?, last_error = ?"
               " WHERE id = ?", (state, job.attempts + 1, next_ms or 0, reason[:MAX_REASON],
                                 job.id))
    db.commit()


def receipts_due(db: Database) -> list[dict[str, Any]]:
    """Cases whose booth receipt is owed: a notice was delivered (notified), or none is left
    to try (not notified)."""
    rows = db.query(
        "SELECT c.case_id, c.record_id, c.border_post, c.terminal_id, c.unit, c.status,"
        " SUM(CASE WHEN n.state = 'sent' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN n.state = 'pending' THEN 1 ELSE 0 END)"
        " FROM cases c JOIN case_notices n ON n.case_id = c.case_id WHERE c.receipt_sent = 0"
        " GROUP BY c.case_id, c.record_id, c.border_post, c.terminal_id, c.unit, c.status")
    return [
        {"case_id": r[0], "record_id": r[1], "border_post": r[2], "terminal_id": r[3],
         "unit": r[4], "status": r[5], "notified": int(r[6]) > 0}
        for r in rows if int(r[6]) > 0 or int(r[7]) == 0
    ]


def mark_receipt_sent(db: Database, cid: str) -> None:
    db.execute("UPDATE cases SET receipt_sent = 1 WHERE case_id = ?", (cid,))
    db.commit()


def problems(db: Database, now_ms: int) -> tuple[int, int]:
    """(failed notices, pending notices overdue by more than 10 minutes) for the doctor."""
    failed = int(db.query("SELECT COUNT(*) FROM case_notices WHERE state = 'failed'")[0][0])
    late = int(db.query("SELECT COUNT(*) FROM case_notices WHERE state = 'pending'"
                        " AND next_ms < ? AND attempts > 0", (now_ms - 600_000,))[0][0])
    return failed, late
