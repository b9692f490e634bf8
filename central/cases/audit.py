"""The case access log: who listed, viewed or changed which case, why, and how many rows.

Rows are only ever inserted; triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE)
(central/cases/schema.py). The parameters never hold personal data: a case id and a status.
"""

from __future__ import annotations

import json
from typing import Any

from central.db import Database
from imdms.errors import ImdmsError
from records.clock import utc_now_iso

MAX_TEXT = 500


def need(value: str | None, what: str, hint: str) -> str:
    """`value` trimmed; ImdmsError when it is missing."""
    text = (value or "").strip()
    if not text:
        raise ImdmsError(f"{what} is required", hint)
    return text[:MAX_TEXT]


def need_operator(operator: str | None) -> str:
    return need(operator, "an operator", "give your officer id with --operator ID")


def need_reason(reason: str | None) -> str:
    return need(reason, "a reason", 'say why with --reason "follow-up call with the unit"')


def record_access(
    db: Database,
    *,
    operator: str,
    reason: str,
    action: str,
    case_id: str | None,
    params: dict[str, Any],
    result_count: int,
) -> None:
    """Append one audit row in the open transaction (the caller commits with its result)."""
    db.execute(
        "INSERT INTO case_audit (at, operator, reason, action, case_id, params, result_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (utc_now_iso(), operator[:MAX_TEXT], reason[:MAX_TEXT], action, case_id,
         json.dumps(params, sort_keys=True), result_count),
    )


def audit_rows(db: Database) -> list[dict[str, Any]]:
    """Every audit row, oldest first (a supervisor's review, the tests)."""
    return [
        {"id": int(r[0]), "at": r[1], "operator": r[2], "reason": r[3], "action": r[4],
         "case_id": r[5], "params": json.loads(r[6]), "result_count": int(r[7])}
        for r in db.query(
            "SELECT id, at, operator, reason, action, case_id, params, result_count"
            " FROM case_audit ORDER BY id"
        )
    ]
