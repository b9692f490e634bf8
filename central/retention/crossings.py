"""Expired crossings and the rows derived from them.

A crossing is a root record and its amendments; its time is the crossing time ingest keeps on
the current version (or the earliest recorded time when every version is void). It expires
after [retention] crossings_days, unless
- it is a case (a version referred to a receiving unit or carrying trafficking indicators):
  cases_days;
- it belongs to an overstay (trace flag OVERSTAY on it, or on the exit that ended the stay it
  opened): overstay_days. The flags need the trace index, which the purge refreshes first.
Deleting a crossing deletes every version, its indicators, its trace_entries row, and the
entities (documents) and links no remaining crossing uses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from central.db import Database
from central.retention.policy import Cutoffs
from central.trace.flags import OVERSTAY, mark
from central.trace.timeline import crossings_of

CHUNK = 500  # ids per IN (...) list: well under both engines' parameter limits

CANDIDATES = (
    "SELECT root_id, COALESCE(MAX(crossing_ms), MIN(recorded_ms)),"
    " MAX(CASE WHEN tip_referral <> 'NONE' OR has_tips = 1 THEN 1 ELSE 0 END)"
    " FROM records GROUP BY root_id"
    " HAVING COALESCE(MAX(crossing_ms), MIN(recorded_ms)) < ?"
)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _marks(n: int) -> str:
    return ", ".join(["?"] * n)


def _overstay_roots(db: Database, roots: Sequence[str], now_ms: int) -> set[str]:
    """Those of `roots` that belong to an overstay (the flagged crossing and its entry)."""
    persons: set[str] = set()
    for part in _chunks(roots):
        persons.update(
            str(r[0])
            for r in db.query(
                "SELECT DISTINCT person_id FROM trace_entries"
                f" WHERE root_id IN ({_marks(len(part))})",
                part,
            )
        )
    kept: set[str] = set()
    for person in sorted(persons):
        crossings = crossings_of(db, person)
        mark(crossings, now_ms)
        entry = None
        for c in crossings:
            if OVERSTAY in c.flags:
                kept.add(c.root_id)
                if c.direction == "EXIT" and entry is not None:
                    kept.add(entry)
            entry = c.root_id if c.direction == "ENTRY" else None
    return kept & set(roots)


@dataclass(frozen=True)
class Expired:
    """Expired crossings' root ids, and how many past crossings_days are kept by a rule."""

    crossings: list[str]  # past crossings_days (past overstay_days for an overstay)
    cases: list[str]  # referred or with indicators, past cases_days
    overstay_kept: int
    cases_kept: int

    @property
    def roots(self) -> list[str]:
        return sorted(self.crossings + self.cases)


def expired_roots(db: Database, cut: Cutoffs) -> Expired:
    """The crossings expired at `cut` (reads the trace index: refresh it first)."""
    plain: list[str] = []
    cases: list[str] = []
    cases_kept = 0
    middle: list[str] = []  # past crossings_days, not yet past overstay_days
    for root, at_ms, case in db.query(CANDIDATES, (cut.crossings_ms,)):
        root, at_ms = str(root), int(at_ms)
        if case:
            if at_ms < cut.cases_ms:
                cases.append(root)
            else:
                cases_kept += 1
        elif at_ms < cut.overstay_ms:
            plain.append(root)
        else:
            middle.append(root)
    kept = _overstay_roots(db, middle, cut.now_ms) if middle else set()
    plain += [root for root in middle if root not in kept]
    return Expired(sorted(plain), sorted(cases), len(kept), cases_kept)


def delete_crossings(db: Database, roots: Sequence[str]) -> dict[str, int]:
    """Delete the crossings and their derived rows in the open transaction; counts by table."""
    counts = {"records": 0, "record_indicators": 0, "trace_entries": 0, "trace_entities": 0,
              "trace_links": 0}
    for part in _chunks(sorted(roots)):
        marks = _marks(len(part))
        ids = [str(r[0]) for r in db.query(
            f"SELECT record_id FROM records WHERE root_id IN ({marks})", part)]
        entities = sorted({str(r[0]) for r in db.query(
            f"SELECT entity FROM trace_entries WHERE root_id IN ({marks})", part)})
        for ids_part in _chunks(ids):
            counts["record_indicators"] += _delete(
                db, "record_indicators", "record_id", ids_part)
        counts["trace_entries"] += _delete(db, "trace_entries", "root_id", part)
        counts["records"] += _delete(db, "records", "root_id", part)
        unused = [e for e in entities
                  if not db.query("SELECT 1 FROM trace_entries WHERE entity = ? LIMIT 1", (e,))]
        for e_part in _chunks(unused):
            counts["trace_links"] += _delete(db, "trace_links", "a", e_part)
            counts["trace_links"] += _delete(db, "trace_links", "b", e_part)
            counts["trace_entities"] += _delete(db, "trace_entities", "entity", e_part)
    return counts


def _delete(db: Database, table: str, column: str, values: Sequence[Any]) -> int:
    cur = db.execute(f"DELETE FROM {table} WHERE {column} IN ({_marks(len(values))})", values)
    return max(0, int(cur.rowcount))
