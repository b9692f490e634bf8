"""What the centre tells a booth about a document: its last few crossings (time, direction,
post only) and the entry/exit flags of central/trace/flags, plus the last crossing's category
and purpose (codes the statistics count, not identifiers) for the frequent-crosser proposal.

Every lookup is one row of the central audit log (who: the terminal; whom: the person ids
found), committed with nothing else; the row names no document number.
"""

from __future__ import annotations

import time
from typing import Any

from central.db import Database
from central.trace.audit import record_access
from central.trace.flags import MINOR_WINDOW_MS, OPEN_STAY, OVERSTAY, mark
from central.trace.names import doc_number
from central.trace.timeline import Crossing, crossings_of
from messaging.history_wire import KEEP_CROSSINGS, Answer, Document
from messaging.history_wire import Crossing as WireCrossing
from records.clock import ms_to_iso

ACTION = "booth_history"
REASON = "document read at a booth (issue 18 item 4)"
STATE_FLAGS = (OPEN_STAY, OVERSTAY)  # about the stay as it is now, wherever they sit


def persons(db: Database, doc: Document) -> list[str]:
    """The persons the index holds for this document (issuer + number, and dob when given)."""
    sql = "SELECT DISTINCT person_id FROM trace_entries WHERE doc_number = ? AND issuer = ?"
    params: list[Any] = [doc_number(doc.number), doc.issuer.upper()]
    if doc.dob:
        sql += " AND dob = ?"
        params.append(doc.dob)
    return sorted(str(r[0]) for r in db.query(sql + " ORDER BY person_id", params))


def _last_codes(db: Database, record_id: str) -> tuple[str | None, str | None]:
    rows = db.query("SELECT traveller_category, purpose FROM records WHERE record_id = ?",
                    (record_id,))
    if not rows:
        return None, None
    return rows[0][0], rows[0][1]


def lookup(db: Database, doc: Document, *, terminal: str, post: str,
           as_of_ms: int | None = None) -> Answer:
    """The answer for `doc` asked by `terminal` at `post`; audited and committed."""
    now = int(time.time() * 1000) if as_of_ms is None else as_of_ms
    found = persons(db, doc)
    crossings: list[Crossing] = []
    for person in found:
        mine = crossings_of(db, person)
        mark(mine, now)
        crossings += mine
    crossings.sort(key=lambda c: (c.at_ms, c.root_id))
    recent = crossings[-KEEP_CROSSINGS:]
    flags: list[str] = []
    for c in crossings:
        for f in c.flags:
            if f not in flags and (c in recent or f in STATE_FLAGS):
                flags.append(f)
    minor_30d = sum(1 for c in crossings if c.minor and now - c.at_ms < MINOR_WINDOW_MS)
    category = purpose = None
    if crossings:
        category, purpose = _last_codes(db, crossings[-1].record_id)
    record_access(db, operator=f"terminal:{terminal}", reason=REASON, action=ACTION,
                  params={"terminal": terminal, "post": post, "persons": found},
                  result_count=len(crossings))
    db.commit()
    return Answer(
        found=bool(crossings),
        crossings=tuple(WireCrossing(ms_to_iso(c.at_ms), c.direction, c.post) for c in recent),
        flags=tuple(flags), minor_30d=minor_30d, category=category, purpose=purpose,
    )
