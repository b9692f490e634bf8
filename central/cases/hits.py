"""Watchlist hits in the case list (issue 18 item 6): every hit a booth reported, newest first,
with the case of its crossing when the traveller was also referred.

A hit is shown as the booth reported it (central/watchlist/hits.py: record id, list version,
entry id, category, match kind, post, terminal, when): no personal data, like the rest of the
list. Who the entry names is on the watchlist page (supervisor) and in a trace (audited).
"""

from __future__ import annotations

from typing import Any

from central.db import Database
from central.watchlist.hits import COLUMNS
from central.watchlist.hits import ensure_schema as ensure_hits

HIT_LIMIT = 100


def case_hits(db: Database, limit: int = HIT_LIMIT) -> list[dict[str, Any]]:
    """The latest hits (newest first), each with "case_id": the case of its crossing or ""."""
    ensure_hits(db)
    cols = ", ".join("h." + c for c in COLUMNS)
    rows = db.query(
        f"SELECT {cols}, c.case_id FROM watchlist_hits h"
        " LEFT JOIN records r ON r.record_id = h.record_id"
        " LEFT JOIN cases c ON c.root_id = r.root_id"
        " ORDER BY h.occurred_at DESC, h.event_id DESC LIMIT ?",
        (limit,),
    )
    out = []
    for row in rows:
        hit = dict(zip(COLUMNS, (str(v) for v in row[:-1]), strict=True))
        hit["case_id"] = "" if row[-1] is None else str(row[-1])
        out.append(hit)
    return out


def attach(cases: list[dict[str, Any]], hits: list[dict[str, Any]]) -> None:
    """Give each case "hits": the categories of the listed hits on its crossing."""
    by_case: dict[str, list[str]] = {}
    for hit in hits:
        if hit["case_id"]:
            by_case.setdefault(hit["case_id"], []).append(hit["category"])
    for case in cases:
        case["hits"] = by_case.get(case["case_id"], [])
