"""The per-day roll-up of the statistics page's tables: table stats_rollup (migration 0004),
filled from `records` by INSERT ... SELECT GROUP BY, refreshed by `imdms console warm`, and
with it the filter cube (console.rollup_cube, migration 0005) for the same days.

One row per (local day, post, direction, decision, sex, table, key) with its persons. The
tables are the page's (console.aggregate.SETS) plus the restricted ones (indicators, referrals,
flagged persons), so console.rollup_read sums a month of them instead of 0.8 M records.

Which days to recompute (no hook in the collector; detected from the data, see rollup_read):
- rows received since the roll-up began (index records_received; minus MARGIN_S for
  transactions in flight): the days of every version of their crossing (late records,
  amendments, voids);
- a new clock offset: the days its boot's records had before and have now (records_unsynced);
- on refresh only, also every day whose signature (current rows, sum of crossing_ms) changed:
  a purge or anything else that edits records in place.
Until a refresh, the page computes changed days live from `records`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from central.db import Database
from console import rollup_cube
from records.clock import ms_to_iso, utc_now_iso

log = logging.getLogger(__name__)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS stats_rollup (
        crossing_day INTEGER NOT NULL,
        border_post TEXT NOT NULL,
        direction TEXT NOT NULL,
        decision TEXT,
        sex INTEGER,
        tab TEXT NOT NULL,
        k1 TEXT,
        k2 TEXT,
        n BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS stats_rollup_day ON stats_rollup (crossing_day, tab)",
    # per-day signatures at the last roll-up: current rows and the sum of their crossing_ms
    """CREATE TABLE IF NOT EXISTS stats_rollup_days (
        crossing_day INTEGER PRIMARY KEY,
        persons BIGINT NOT NULL,
        ms_sum BIGINT NOT NULL
    )""",
    # terminal boots with records not yet time-corrected at the last roll-up, and their days
    """CREATE TABLE IF NOT EXISTS stats_rollup_unsynced (
        terminal_id TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        crossing_day INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS stats_rollup_state (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # what change detection reads: rows received since, and records awaiting a clock offset
    "CREATE INDEX IF NOT EXISTS records_received ON records (received_at)",
    "CREATE INDEX IF NOT EXISTS records_unsynced ON records (terminal_id, boot_id)"
    " WHERE clock_synced = 0 AND time_corrected = 0",
)
INDEXES = ("records_received", "records_unsynced")
BASE = "crossing_day, border_post, direction, decision, sex"
# table -> (k1, k2) expressions over records; "daily" has no key (decisions, totals, days)
TABS: dict[str, tuple[str, str]] = {
    "daily": ("NULL", "NULL"),
    "cells": ("age_band", "nationality"),
    "traveller_category": ("traveller_category", "NULL"),
    "purpose": ("purpose", "NULL"),
    "stay_band": ("stay_band", "NULL"),
    "residence": ("residence", "NULL"),
    "transport_mode": ("transport_mode", "NULL"),
    "refusals": ("refusal_reason", "NULL"),
}
SENSITIVE = ("indicator", "referral", "flagged")
# rows committed up to this long after their received_at (collector's clock) are still seen
MARGIN_S = 300


def ensure_schema(db: Database) -> None:
    """The roll-up's tables (migration 0004); the filter cube's are rollup_cube's (0005)."""
    for stmt in SCHEMA:
        db.execute(stmt)


def selects(where: str) -> list[str]:
    """SELECT statements over `records WHERE <where>` giving roll-up rows (BASE, tab, k1, k2,
    n): the page's tables, then sensitive_selects."""
    out = []
    for tab, (k1, k2) in TABS.items():
        keys = ", ".join(c for c in (k1, k2) if c != "NULL")
        group = BASE + (", " + keys if keys else "")
        out.append(
            f"SELECT {BASE}, '{tab}', {k1}, {k2}, COUNT(*) FROM records"
            f" WHERE {where} GROUP BY {group}"
        )
    return out + sensitive_selects(where)


def sensitive_selects(where: str) -> list[str]:
    """The restricted tables' statements (referrals, indicators, flagged persons): rare rows,
    read through the partial index records_referred and the indicator table."""
    base = ", ".join("r." + c for c in BASE.split(", "))
    rwhere = " AND ".join("r." + part for part in where.split(" AND "))
    return [
        f"SELECT {BASE}, 'referral', tip_referral, NULL, COUNT(*) FROM records"
        f" WHERE {where} AND tip_referral <> 'NONE' GROUP BY {BASE}, tip_referral",
        f"SELECT {base}, 'indicator', ri.indicator, NULL, COUNT(*) FROM record_indicators ri"
        f" JOIN records r ON r.record_id = ri.record_id WHERE {rwhere}"
        f" GROUP BY {base}, ri.indicator",
        f"SELECT {BASE}, 'flagged', NULL, NULL, SUM(has_tips) FROM records"
        f" WHERE {where} AND has_tips > 0 GROUP BY {BASE}",
    ]


def day_list(days: Sequence[object]) -> tuple[str, list[object]]:
    return ", ".join("?" for _ in days), list(days)


@dataclass(frozen=True)
class State:
    """When the roll-up was made: rows received after `received` may be missing from it;
    `offsets` clock offsets were known."""

    received: str
    offsets: int
    refreshed_at: str


def state(db: Database) -> State | None:
    rows = dict(db.query("SELECT name, value FROM stats_rollup_state"))
    if "received" not in rows:
        return None
    return State(str(rows["received"]), int(rows["offsets"]), str(rows["refreshed_at"]))


def _marks(db: Database) -> tuple[str, int]:
    """Rows received after (now - MARGIN_S) may not be visible yet (a collector transaction in
    flight): those count as new at the next look."""
    offsets = int(db.query("SELECT COUNT(*) FROM clock_offsets")[0][0])
    return ms_to_iso(int(time.time() * 1000) - MARGIN_S * 1000), offsets


def signatures(db: Database) -> dict[int, tuple[int, int]]:
    """Every day's (current rows, sum of crossing_ms): one index-only pass over records."""
    rows = db.query(
        "SELECT crossing_day, COUNT(*), SUM(crossing_ms) FROM records WHERE is_current = 1"
        " AND crossing_day IS NOT NULL GROUP BY crossing_day"
    )
    return {int(d): (int(n), int(s)) for d, n, s in rows}


@dataclass(frozen=True)
class Refreshed:
    days: int  # days recomputed
    seconds: float
    rebuilt: bool


def refresh(db: Database, *, rebuild: bool = False, chunk_days: int = 31) -> Refreshed:
    """Bring the roll-up up to date in one transaction: everything when `rebuild` or never
    built, else the days detected as changed (rollup_read.changed_days) and the days whose
    signature differs. Commits."""
    from console.rollup_read import changed_days

    started = time.monotonic()
    received, offsets = _marks(db)  # before reading records: later rows count as new
    old = None if rebuild else state(db)
    now = signatures(db)
    if old is None:
        todo = set(now)
        db.execute("DELETE FROM stats_rollup")
        db.execute("DELETE FROM stats_cube")
        db.execute("DELETE FROM stats_rollup_days")
    else:
        stored = {
            int(d): (int(n), int(s))
            for d, n, s in db.query("SELECT crossing_day, persons, ms_sum FROM stats_rollup_days")
        }
        differ = {d for d in set(now) | set(stored) if now.get(d) != stored.get(d)}
        todo = changed_days(db, old) | differ
    ordered = sorted(todo)
    for i in range(0, len(ordered), chunk_days):
        part = ordered[i : i + chunk_days]
        marks, params = day_list(part)
        for name in ("stats_rollup", "stats_cube", "stats_rollup_days"):
            db.execute(f"DELETE FROM {name} WHERE crossing_day IN ({marks})", params)
        where = f"is_current = 1 AND crossing_day IN ({marks})"
        for sql in selects(where):
            db.execute(f"INSERT INTO stats_rollup ({BASE}, tab, k1, k2, n) {sql}", params)
        rollup_cube.fill(db, where, params)
        for d in part:
            if d in now:
                db.execute(
                    "INSERT INTO stats_rollup_days (crossing_day, persons, ms_sum)"
                    " VALUES (?, ?, ?)",
                    (d, *now[d]),
                )
    db.execute("DELETE FROM stats_rollup_unsynced")
    db.execute(
        "INSERT INTO stats_rollup_unsynced (terminal_id, boot_id, crossing_day)"
        " SELECT DISTINCT terminal_id, boot_id, crossing_day FROM records"
        " WHERE clock_synced = 0 AND time_corrected = 0 AND is_current = 1"
    )
    db.execute("DELETE FROM stats_rollup_state")
    for name, value in (("received", received), ("offsets", str(offsets)),
                        ("refreshed_at", utc_now_iso())):
        db.execute("INSERT INTO stats_rollup_state (name, value) VALUES (?, ?)", (name, value))
    db.commit()
    took = time.monotonic() - started
    log.info("statistics roll-up: %d days recomputed in %.1f s", len(ordered), took)
    return Refreshed(len(ordered), took, old is None)
