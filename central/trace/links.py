"""A supervisor's decisions on links: list, confirm (join two persons) and split (undo a join).

A decision is kept in trace_links with who and when, survives `imdms trace --reindex`, and is
audited like a trace. Splitting a link re-forms the person from its remaining auto and
confirmed links: the part holding the link's first entity keeps the person id.
"""

from __future__ import annotations

import json
from typing import Any

from central.db import Database
from central.trace.audit import record_access
from central.trace.index import merge
from central.trace.schema import ensure_schema
from imdms.errors import ImdmsError
from records.clock import utc_now_iso
from records.record import new_record_id

JOINING = ("auto", "confirmed")


def list_links(db: Database, person_id: str) -> list[dict[str, Any]]:
    """The links touching a person's entities (any status), highest confidence first."""
    ensure_schema(db)
    rows = db.query(
        "SELECT l.id, l.a, l.b, l.confidence, l.evidence, l.status, l.decided_by FROM trace_links l"
        " JOIN trace_entities e ON e.entity = l.a OR e.entity = l.b WHERE e.person_id = ?"
        " ORDER BY l.confidence DESC, l.id",
        (person_id,),
    )
    seen: dict[int, dict[str, Any]] = {}
    for lid, a, b, conf, ev, status, by in rows:
        seen[int(lid)] = {
            "link": int(lid),
            "a": a,
            "b": b,
            "confidence": float(conf),
            "evidence": json.loads(ev),
            "status": status,
            "decided_by": by,
        }
    return list(seen.values())


def _link(db: Database, link_id: int) -> tuple[str, str, str]:
    rows = db.query("SELECT a, b, status FROM trace_links WHERE id = ?", (link_id,))
    if not rows:
        raise ImdmsError(
            f"no link {link_id}", "list a person's links with `imdms trace link list --person ID`"
        )
    return str(rows[0][0]), str(rows[0][1]), str(rows[0][2])


def _decide(db: Database, link_id: int, status: str, operator: str) -> None:
    at = utc_now_iso()
    db.execute(
        "UPDATE trace_links SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
        (status, operator, at, link_id),
    )


def _person(db: Database, entity: str) -> str:
    rows = db.query("SELECT person_id FROM trace_entities WHERE entity = ?", (entity,))
    if not rows:
        raise ImdmsError(
            "the link names an entity that is not indexed",
            "rebuild the index with `imdms trace --reindex`",
        )
    return str(rows[0][0])


def confirm(db: Database, link_id: int, *, operator: str, reason: str) -> str:
    """Confirm a link (join the two persons). Returns the person id. Commits."""
    ensure_schema(db)
    a, b, _status = _link(db, link_id)
    record_access(
        db,
        operator=operator,
        reason=reason,
        action="link-confirm",
        params={"link": link_id},
        result_count=1,
    )
    _decide(db, link_id, "confirmed", operator)
    person = merge(db, _person(db, a), _person(db, b))
    db.commit()
    return person


def split(db: Database, link_id: int, *, operator: str, reason: str) -> list[str]:
    """Mark a link wrong and re-form the person without it. Returns the resulting person ids
    (one if other links still join the two sides). Commits."""
    ensure_schema(db)
    a, _b, _status = _link(db, link_id)
    record_access(
        db,
        operator=operator,
        reason=reason,
        action="link-split",
        params={"link": link_id},
        result_count=1,
    )
    _decide(db, link_id, "split", operator)
    person = _person(db, a)
    members = [
        str(r[0])
        for r in db.query(
            "SELECT entity FROM trace_entities WHERE person_id = ? ORDER BY entity", (person,)
        )
    ]
    inside = set(members)
    edges: dict[str, set[str]] = {m: set() for m in members}
    for x, y in db.query(
        "SELECT l.a, l.b FROM trace_links l JOIN trace_entities e ON e.entity = l.a"
        " WHERE e.person_id = ? AND l.status IN ('auto', 'confirmed')",
        (person,),
    ):
        if str(y) in inside:
            edges[str(x)].add(str(y))
            edges[str(y)].add(str(x))
    ids: list[str] = []
    left = set(members)
    for start in [a, *members]:
        if start not in left:
            continue
        part, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n in part:
                continue
            part.add(n)
            todo.extend(edges[n] - part)
        left -= part
        pid = person if not ids else new_record_id()
        ids.append(pid)
        for entity in part:
            db.execute("UPDATE trace_entities SET person_id = ? WHERE entity = ?", (pid, entity))
            db.execute("UPDATE trace_entries SET person_id = ? WHERE entity = ?", (pid, entity))
    db.commit()
    return ids
