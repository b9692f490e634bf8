"""`trace`: find the persons a query names, give their timelines, audit the query.

Queries: a document (ISSUER:NUMBER[:DOB]), a name with a date of birth (fuzzy, the index's
rules), a record id, or a group id (every member). Every call writes one audit row, also when
it finds nothing; the row and the answer commit together.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from central.db import Database
from central.trace.audit import record_access, require
from central.trace.flags import mark
from central.trace.index import SUGGEST_SCORE, refresh
from central.trace.names import doc_number, name_block, name_key, name_score
from central.trace.timeline import Crossing, add_companions, crossings_of
from imdms.errors import ImdmsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Query:
    """Exactly one of doc, name (with dob), record or group."""

    doc: str | None = None
    name: str | None = None
    dob: str | None = None
    record: str | None = None
    group: str | None = None

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class PersonTrace:
    person_id: str
    documents: list[str]
    crossings: list[Crossing]

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "documents": self.documents,
            "crossings": [c.to_dict() for c in self.crossings],
        }


def _by_doc(db: Database, text: str) -> list[str]:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not doc_number(parts[1]):
        raise ImdmsError(
            "--doc must be ISSUER:NUMBER or ISSUER:NUMBER:YYYY-MM-DD",
            "for example --doc LSO:RA1234567 or --doc LSO:RA1234567:1990-05-17",
        )
    sql = "SELECT DISTINCT person_id FROM trace_entries WHERE doc_number = ? AND issuer = ?"
    params: list[Any] = [doc_number(parts[1]), parts[0].upper()]
    if len(parts) == 3 and parts[2]:
        sql += " AND dob = ?"
        params.append(parts[2])
    return [str(r[0]) for r in db.query(sql, params)]


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _by_name(db: Database, name: str, dob: str | None) -> list[str]:
    key = name_key(name, None)
    if not key or not dob:
        raise ImdmsError(
            "a name search needs --name and --dob",
            'for example --name "Lerato Mokoena" --dob 1990-05-17 (or --dob 1990 for a year)',
        )
    cols = "SELECT entity, person_id, name_key, dob FROM trace_entities"
    block = " WHERE name_block = ? AND birth_year BETWEEN ? AND ?"
    if len(dob) == 10 and _is_date(dob):
        year = int(dob[:4])
        rows = db.query(cols + " WHERE dob = ?", (dob,))
        rows += db.query(  # no date of birth: an estimated age
            cols + block + " AND dob IS NULL", (name_block(key), year - 1, year + 1)
        )
    elif len(dob) == 4 and dob.isdigit():
        rows = db.query(cols + block, (name_block(key), int(dob) - 1, int(dob) + 1))
    else:
        raise ImdmsError("--dob is not YYYY-MM-DD or YYYY", "for example --dob 1990-05-17")
    out: list[str] = []
    for _entity, person, other, _dob in rows:
        if name_score(key, str(other)) >= SUGGEST_SCORE and str(person) not in out:
            out.append(str(person))
    return out


def _find(db: Database, q: Query) -> list[str]:
    if q.doc:
        return _by_doc(db, q.doc)
    if q.name:
        return _by_name(db, q.name, q.dob)
    if q.record:
        rows = db.query("SELECT root_id FROM records WHERE record_id = ?", (q.record,))
        root = str(rows[0][0]) if rows else q.record
        return [
            str(r[0])
            for r in db.query("SELECT person_id FROM trace_entries WHERE root_id = ?", (root,))
        ]
    if q.group:
        return [
            str(r[0])
            for r in db.query(
                "SELECT DISTINCT person_id FROM trace_entries WHERE group_id = ?"
                " ORDER BY person_id",
                (q.group,),
            )
        ]
    raise ImdmsError(
        "say whom to trace", "give one of --doc, --name with --dob, --record or --group"
    )


def _documents(db: Database, person: str) -> list[str]:
    rows = db.query(
        "SELECT entity FROM trace_entities WHERE person_id = ? AND entity NOT LIKE ?"
        " ORDER BY entity",
        (person, "record:%"),
    )
    return [str(r[0]) for r in rows]


def trace(
    db: Database,
    q: Query,
    *,
    operator: str,
    reason: str,
    as_of_ms: int | None = None,
    refresh_first: bool = True,
) -> list[PersonTrace]:
    """The timelines of the persons q names (flags and companions filled), audited.

    Refreshes the index with newly received records first. Raises ImdmsError on a bad query
    or a missing operator/reason (nothing is searched then). Commits.
    """
    started = time.monotonic()
    operator, reason = require(operator, reason)
    if refresh_first:
        refresh(db)
    now = int(time.time() * 1000) if as_of_ms is None else as_of_ms
    out = []
    for person in _find(db, q):
        crossings = crossings_of(db, person)
        mark(crossings, now)
        for c in crossings:
            add_companions(db, c)
        out.append(PersonTrace(person, _documents(db, person), crossings))
    count = sum(len(p.crossings) for p in out)
    record_access(
        db, operator=operator, reason=reason, action="trace", params=q.params(), result_count=count
    )
    db.commit()
    log.info(
        "trace by %s: %d persons, %d crossings in %.0f ms",
        operator,
        len(out),
        count,
        (time.monotonic() - started) * 1000,
    )
    return out
