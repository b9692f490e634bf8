"""Opening, listing, showing and changing cases (SQL on central.db.Database, both engines).

Every function runs in the caller's open transaction; the ones a person calls (list, show,
set_status) write their audit row in it and commit, so a view is never shown unlogged.
Personal data leaves the store only through show(), from the referred record's payload.
"""

from __future__ import annotations

import json
from typing import Any

from central.cases.audit import need_operator, need_reason, record_access
from central.cases.hits import attach, case_hits
from central.cases.lifecycle import MAX_NOTE, Status, check_transition
from central.cases.roster import Target
from central.db import Database
from imdms.errors import ImdmsError
from records.case_id import case_id, normalise_case_id, receiving_unit
from records.clock import ms_to_iso, utc_now_iso

CENTRE = "centre"  # the operator of what the collector does by itself
CASE_COLUMNS = ("case_id", "root_id", "record_id", "border_post", "terminal_id", "unit",
                "status", "crossed_at", "opened_at", "updated_at", "updated_by")
PERSON_FIELDS = ("surname", "given_names", "sex", "date_of_birth", "age_at_crossing",
                 "nationality", "document_type", "issuing_state", "document_number",
                 "direction", "decision", "officer_id", "group_id", "accompanying_adult_ref",
                 "relationship_to_adult", "tip_indicators", "tip_note", "tip_referral",
                 "watchlist_result")


def open_case(db: Database, data: dict[str, Any], targets: list[Target], now_ms: int) -> str | None:
    """Open the case of a stored record that refers its traveller (wire dict), with a pending
    notice per target. Returns the new case id; None when the record refers nobody or its
    crossing has a case already (a re-send, or an amendment of a referred crossing)."""
    unit = receiving_unit(data)
    if unit is None:
        return None
    rid = str(data["record_id"])
    rows = db.query("SELECT root_id, crossing_ms FROM records WHERE record_id = ?", (rid,))
    root = str(rows[0][0]) if rows else str(data.get("amends") or rid)
    if db.query("SELECT 1 FROM cases WHERE root_id = ?", (root,)):
        return None
    cid = case_id(root)
    crossed = ms_to_iso(int(rows[0][1])) if rows and rows[0][1] is not None else data[
        "recorded_at"]
    now = ms_to_iso(now_ms)
    cur = db.execute(
        f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * 11)})"
        " ON CONFLICT DO NOTHING",
        (cid, root, rid, data["border_post"], data["terminal_id"], unit.value,
         Status.RECEIVED.value, crossed, now, now, CENTRE),
    )
    if cur.rowcount == 0:
        return None  # another collector opened it first (or a 1-in-a-billion id collision)
    db.execute(
        "INSERT INTO case_events (case_id, at, operator, status_from, status_to, note)"
        " VALUES (?, ?, ?, NULL, ?, ?)",
        (cid, now, CENTRE, Status.RECEIVED.value,
         f"referred at {data['border_post']} by officer {data.get('officer_id', '?')}"),
    )
    for channel, target in targets:
        db.execute(
            "INSERT INTO case_notices (case_id, channel, target, state, next_ms)"
            " VALUES (?, ?, ?, 'pending', ?)", (cid, channel, target, now_ms))
    if not targets:
        db.execute(
            "INSERT INTO case_notices (case_id, channel, target, state, next_ms, last_error)"
            " VALUES (?, 'none', '-', 'failed', ?, ?)",
            (cid, now_ms, f"no one on the roster for {unit.value}"))
    return cid


def _case(row: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(CASE_COLUMNS, (str(v) for v in row), strict=True))


def _notices(db: Database, cid: str | None = None) -> dict[str, list[dict[str, Any]]]:
    sql = ("SELECT case_id, channel, target, state, attempts, last_error, sent_at"
           " FROM case_notices")
    rows = db.query(sql + " WHERE case_id = ? ORDER BY id", (cid,)) if cid else db.query(
        sql + " ORDER BY id")
    out: dict[str, list[dict[str, Any]]] = {}
    for c, channel, target, state, attempts, error, sent in rows:
        out.setdefault(str(c), []).append(
            {"channel": channel, "target": target, "state": state, "attempts": int(attempts),
             "last_error": error, "sent_at": sent})
    return out


def notice_summary(notices: list[dict[str, Any]]) -> str:
    """One cell for `cases list`: "sent 2/2", "pending 1/2 (3 tries)", "FAILED: reason"."""
    sent = sum(n["state"] == "sent" for n in notices)
    failed = [n for n in notices if n["state"] == "failed"]
    pending = [n for n in notices if n["state"] == "pending"]
    if failed and not sent:
        return f"FAILED: {failed[-1]['last_error']}"
    if pending:
        tries = max(n["attempts"] for n in pending)
        why = f", {pending[-1]['last_error']}" if pending[-1]["last_error"] else ""
        return f"pending {sent}/{len(notices)} ({tries} tries{why})"
    return f"sent {sent}/{len(notices)}" + (f", {len(failed)} failed" if failed else "")


def list_cases(db: Database, operator: str, status: Status | None = None) -> list[dict[str, Any]]:
    """Cases, newest first, with their notices' state (no personal data); audited."""
    return case_list(db, operator, status, hits=False)[0]


def case_list(db: Database, operator: str, status: Status | None = None, *,
              hits: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(cases, watchlist hits): the cases as list_cases, each with "hits" (categories on its
    crossing), and the latest hits (central/cases/hits.py); one audit row for the view."""
    sql = f"SELECT {', '.join(CASE_COLUMNS)} FROM cases"
    rows = db.query(sql + " WHERE status = ? ORDER BY opened_at DESC, case_id",
                    (status.value,)) if status else db.query(
        sql + " ORDER BY opened_at DESC, case_id")
    notices = _notices(db)
    out = []
    for row in rows:
        case = _case(row)
        case["notices"] = notices.get(case["case_id"], [])
        case["notified"] = notice_summary(case["notices"])
        out.append(case)
    found = case_hits(db) if hits else []
    attach(out, found)
    params: dict[str, Any] = {"status": status.value if status else None}
    if hits:
        params["hits"] = len(found)
    record_access(db, operator=operator, reason="list (no personal data)", action="list",
                  case_id=None, params=params, result_count=len(out))
    db.commit()
    return out, found


def _find(db: Database, text: str) -> dict[str, Any] | None:
    try:
        cid = normalise_case_id(text)
    except ValueError as err:
        raise ImdmsError(f"{text!r} is not a case id", "case ids look like TIP-7K3MQ-9XA2B"
                         " (imdms cases list shows them)") from err
    rows = db.query(f"SELECT {', '.join(CASE_COLUMNS)} FROM cases WHERE case_id = ?", (cid,))
    return _case(rows[0]) if rows else None


def _not_found(text: str) -> ImdmsError:
    return ImdmsError(f"no case {text.strip()}", "imdms cases list shows the open cases")


def show(db: Database, text: str, *, operator: str | None, reason: str | None) -> dict[str, Any]:
    """A case with its history, notices and the referred person; audited (operator and reason
    required, written even when the case does not exist)."""
    who, why = need_operator(operator), need_reason(reason)
    case = _find(db, text)
    record_access(db, operator=who, reason=why, action="show",
                  case_id=case["case_id"] if case else None,
                  params={"case": text.strip()[:40]}, result_count=int(case is not None))
    db.commit()
    if case is None:
        raise _not_found(text)
    case["events"] = [
        {"at": at, "operator": op, "from": old, "to": new, "note": note}
        for at, op, old, new, note in db.query(
            "SELECT at, operator, status_from, status_to, note FROM case_events"
            " WHERE case_id = ? ORDER BY id", (case["case_id"],))
    ]
    case["notices"] = _notices(db, case["case_id"]).get(case["case_id"], [])
    rows = db.query("SELECT payload FROM records WHERE root_id = ? AND is_current = 1",
                    (case["root_id"],)) or db.query(
        "SELECT payload FROM records WHERE record_id = ?", (case["record_id"],))
    data = json.loads(rows[0][0]) if rows else {}
    case["person"] = {k: data.get(k) for k in PERSON_FIELDS}
    return case


def set_status(db: Database, text: str, new: Status, *, operator: str | None,
               note: str | None) -> tuple[str, Status]:
    """Move a case to `new` (validated, central/cases/lifecycle.py); audited. Returns (case id,
    old status). ImdmsError for an unknown case or a change the lifecycle refuses."""
    who = need_operator(operator)
    note = (note or "").strip()[:MAX_NOTE] or None
    case = _find(db, text)
    if case is None:
        raise _not_found(text)
    old = Status(case["status"])
    check_transition(old, new, note)
    now = utc_now_iso()
    cur = db.execute("UPDATE cases SET status = ?, updated_at = ?, updated_by = ?"
                     " WHERE case_id = ? AND status = ?",
                     (new.value, now, who, case["case_id"], old.value))
    if cur.rowcount != 1:
        db.rollback()
        raise ImdmsError("the case changed meanwhile", "look at it again with imdms cases show")
    db.execute("INSERT INTO case_events (case_id, at, operator, status_from, status_to, note)"
               " VALUES (?, ?, ?, ?, ?, ?)", (case["case_id"], now, who, old.value, new.value,
                                              note))
    record_access(db, operator=who, reason=note or "status change", action="set-status",
                  case_id=case["case_id"], params={"from": old.value, "to": new.value},
                  result_count=1)
    db.commit()
    return case["case_id"], old
