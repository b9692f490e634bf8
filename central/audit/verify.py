"""Walking the chain: the first broken row, or the count of an intact log.

Detected: an edited row (its hash no longer matches its content), a deleted row (a gap in
`seq`, or the next row's prev_hash no longer matches), reordered or renumbered rows (seq is
hashed), a prefix removed without a purge row covering it, and, given a head saved elsewhere
(`imdms audit head`), a truncated tail. Not detected: a rewrite of the whole chain from some
row on by someone who can also replace every saved head; keep heads off the database host.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from central.audit.chain import COLUMNS, GENESIS, row_hash
from central.audit.schema import ensure_schema
from central.db import Database

PAGE = 5000


@dataclass(frozen=True)
class Verdict:
    """ok, the rows checked, the first and last seq, and where and why the chain broke."""

    ok: bool
    count: int
    first_seq: int | None = None
    last_seq: int | None = None
    broken_seq: int | None = None
    problem: str | None = None


def _rows(db: Database) -> Iterator[tuple[Any, ...]]:
    after = -1
    while True:
        page = db.query(
            f"SELECT {COLUMNS}, prev_hash, hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, PAGE),
        )
        yield from page
        if len(page) < PAGE:
            return
        after = int(page[-1][0])


def _anchor(db: Database, first_seq: int) -> str | None:
    """The last hash of the purged prefix ending before first_seq, from the purge row."""
    rows = db.query(
        "SELECT detail FROM audit_log WHERE covers_seq = ? AND seq > ? ORDER BY seq LIMIT 1",
        (first_seq - 1, first_seq - 1),
    )
    if not rows:
        return None
    through = json.loads(rows[0][0]).get("through_hash")
    return str(through) if isinstance(through, str) else None


def head(db: Database) -> dict[str, Any]:
    """The tail to save elsewhere: {"seq", "hash", "at"} ({"seq": 0, ...} for an empty log)."""
    ensure_schema(db)
    rows = db.query("SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1")
    if not rows:
        return {"seq": 0, "hash": GENESIS, "at": None}
    return {"seq": int(rows[0][0]), "hash": str(rows[0][1]), "at": str(rows[0][2])}


def verify(db: Database, saved_head: dict[str, Any] | None = None) -> Verdict:
    """Check every row in seq order (paged: constant memory). Never raises on a broken chain."""
    ensure_schema(db)
    count, first, prev, expected = 0, None, GENESIS, 1
    saved_seq = int(saved_head["seq"]) if saved_head else 0
    saved_ok = saved_seq == 0
    for row in _rows(db):
        seq = int(row[0])
        if first is None:
            first = seq
            if seq != 1:
                anchored = _anchor(db, seq)
                if anchored is None:
                    return Verdict(False, count, first, None, seq,
                                   f"rows before seq {seq} are missing and no purge row covers"
                                   " them (deleted)")
                prev, expected = anchored, seq
                saved_ok = saved_ok or saved_seq < seq  # that head was purged since
        if seq != expected:
            return Verdict(False, count, first, seq - 1, expected,
                           f"row {expected} is missing (seq jumps from {expected - 1} to {seq})")
        if row[11] != prev:
            return Verdict(False, count, first, seq - 1, seq,
                           f"row {seq} does not follow row {seq - 1} (a row edited, deleted"
                           " or moved before it)")
        if row_hash(prev, tuple(row[:11])) != row[12]:
            return Verdict(False, count, first, seq - 1, seq,
                           f"row {seq} was edited (its hash does not match its content)")
        if seq == saved_seq:
            if row[12] != saved_head["hash"]:  # type: ignore[index]
                return Verdict(False, count, first, seq - 1, seq,
                               f"row {seq} differs from the saved head (the chain was"
                               " rewritten from there)")
            saved_ok = True
        prev, expected, count = str(row[12]), seq + 1, count + 1
    last = expected - 1 if count else None
    if not saved_ok:
        return Verdict(False, count, first, last, saved_seq,
                       f"the log ends at seq {last or 0} but the saved head is seq {saved_seq}"
                       " (rows at the end were deleted)")
    return Verdict(True, count, first, last)
