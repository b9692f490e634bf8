"""The live operations view: every terminal, when it was last heard from, and its state.

Terminals come from the heartbeats the collector keeps (central table terminal_status) and
those the console keeps itself (TerminalStatus, see store_heartbeat: the demo)
and from the records themselves (a terminal that sent records but no heartbeat is still
listed). Every query reads an index: the distinct terminals by a skip scan of records_boot,
each terminal's newest record from records_terminal_recent. No personal data is read.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from central.db import day_number
from console.models import TerminalStatus

# the distinct terminal ids by walking the index (SQLite and PostgreSQL have no loose scan)
TERMINALS_SQL = """
WITH RECURSIVE t(id) AS (
    SELECT MIN(terminal_id) FROM records
    UNION ALL
    SELECT (SELECT MIN(terminal_id) FROM records WHERE terminal_id > t.id) FROM t
    WHERE t.id IS NOT NULL
)
SELECT id FROM t WHERE id IS NOT NULL
"""
NEWEST_SQL = (
    "SELECT received_at, border_post, payload FROM records WHERE terminal_id = %s"
    " ORDER BY received_at DESC LIMIT 1"
)


@dataclass
class TerminalRow:
    terminal_id: str
    border_post: str
    last_record_at: str = ""
    last_heartbeat_at: str = ""
    software_version: str = ""
    clock: str = "unknown"  # synced / not synced / unknown
    outbox_pending: int | None = None
    awaiting_receipt: int | None = None
    readers: str = ""
    age_s: float | None = None
    stale: bool = True


def _age(iso: str, now: float) -> float | None:
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(0.0, now - at.timestamp())


def terminals(now: float | None = None) -> list[TerminalRow]:
    """One row per terminal, by post then terminal id; stale: silent > STALE_AFTER_S."""
    now = time.time() if now is None else now
    rows: dict[str, TerminalRow] = {}
    with connection.cursor() as cur:
        cur.execute(TERMINALS_SQL)
        ids = [str(r[0]) for r in cur.fetchall()]
        for tid in ids:
            cur.execute(NEWEST_SQL, [tid])
            got = cur.fetchone()
            if got is None:
                continue
            received, post, payload = got
            data: dict[str, Any] = json.loads(payload)
            rows[tid] = TerminalRow(
                tid,
                str(post),
                last_record_at=str(received),
                software_version=str(data.get("software_version") or ""),
                clock="synced" if data.get("clock_synced") else "not synced",
            )
    with connection.cursor() as cur:  # the collector's own copy of each latest heartbeat
        cur.execute("SELECT terminal_id, border_post, received_at, payload FROM terminal_status")
        for tid, post, received, payload in cur.fetchall():
            hb: dict[str, Any] = json.loads(payload)
            row = rows.setdefault(str(tid), TerminalRow(str(tid), str(post)))
            row.last_heartbeat_at = str(received)
            row.software_version = str(hb.get("software_version") or row.software_version)
            if hb.get("clock_synced") is not None:
                row.clock = "synced" if hb["clock_synced"] else "not synced"
            row.outbox_pending = hb.get("outbox_pending")
            row.awaiting_receipt = hb.get("outbox_awaiting_receipt")
            row.readers = _readers(hb.get("readers"))
    for st in TerminalStatus.objects.all():  # the demo's, and heartbeats stored by the console
        row = rows.setdefault(st.terminal_id, TerminalRow(st.terminal_id, st.border_post))
        row.last_heartbeat_at = st.received_at.astimezone(UTC).isoformat(timespec="seconds")
        row.software_version = st.software_version or row.software_version
        if st.clock_synced is not None:
            row.clock = "synced" if st.clock_synced else "not synced"
        row.outbox_pending, row.awaiting_receipt = st.outbox_pending, st.awaiting_receipt
        row.readers = st.readers
    for row in rows.values():
        ages = [
            a
            for a in (_age(row.last_record_at, now), _age(row.last_heartbeat_at, now))
            if a is not None
        ]
        row.age_s = min(ages) if ages else None
        row.stale = row.age_s is None or row.age_s > settings.STALE_AFTER_S
    return sorted(rows.values(), key=lambda r: (r.border_post, r.terminal_id))


def today_counts(now: float | None = None) -> dict[str, int]:
    """Crossings counted today (local day), refusals, rejected messages (all indexed)."""
    today = day_number(int((time.time() if now is None else now) * 1000))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT direction, decision, COUNT(*) FROM records WHERE is_current = 1"
            " AND crossing_day = %s GROUP BY 1, 2",
            [today],
        )
        out = {"ENTRY": 0, "EXIT": 0, "REFUSED": 0}
        for direction, decision, n in cur.fetchall():
            out["REFUSED" if decision == "REFUSED" else str(direction)] += int(n)
        cur.execute("SELECT COUNT(*) FROM rejected")
        out["rejected"] = int(cur.fetchone()[0])
    return out


def _readers(readers: Any) -> str:
    if isinstance(readers, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(readers.items()))[:500]
    return json.dumps(readers, sort_keys=True)[:500] if readers else ""


def store_heartbeat(payload: dict[str, Any]) -> None:
    """Keep a terminal's latest heartbeat (messaging.forwarder's fields) for this page.

    For the collector's heartbeat path; counts and states only, no personal data.
    """
    readers = payload.get("readers")
    TerminalStatus.objects.update_or_create(
        terminal_id=str(payload["terminal_id"]),
        defaults={
            "border_post": str(payload.get("border_post") or ""),
            "received_at": timezone.now(),
            "sent_at": str(payload.get("sent_at") or ""),
            "software_version": str(payload.get("software_version") or ""),
            "clock_synced": payload.get("clock_synced"),
            "outbox_pending": payload.get("outbox_pending"),
            "awaiting_receipt": payload.get("outbox_awaiting_receipt"),
            "oldest_pending_age_s": payload.get("oldest_pending_age_s"),
            "readers": _readers(readers),
        },
    )
