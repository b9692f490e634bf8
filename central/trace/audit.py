"""The trace access log: who looked up whom, why, with what parameters and how many results.

Rows are only ever inserted; triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE), so
the role that traces cannot rewrite its own history (docs/tracing.md: the role note). The
parameters are personal data (a document number searched for): they live in this table, never
in a log line.
"""

from __future__ import annotations

import json
from typing import Any

from central.db import Database
from central.trace.schema import ensure_schema
from imdms.errors import ImdmsError
from records.clock import utc_now_iso

MAX_TEXT = 500


def _need(value: str | None, what: str, hint: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ImdmsError(f"{what} is required for every trace", hint)
    return text[:MAX_TEXT]


def require(operator: str | None, reason: str | None) -> tuple[str, str]:
    """The operator and reason, trimmed; ImdmsError if either is missing."""
    return (
        _need(operator, "an operator", "give your officer id with --operator ID"),
        _need(reason, "a reason", 'say why with --reason "case 2026/114, police request"'),
    )


def record_access(
    db: Database,
    *,
    operator: str | None,
    reason: str | None,
    action: str,
    params: dict[str, Any],
    result_count: int,
) -> None:
    """Append one audit row in the open transaction (the caller commits with its result)."""
    operator, reason = require(operator, reason)
    at = utc_now_iso()
    db.execute(
        "INSERT INTO trace_audit (at, operator, reason, action, params, result_count)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (at, operator, reason, action, json.dumps(params, sort_keys=True), result_count),
    )


def audit_rows(db: Database) -> list[dict[str, Any]]:
    """Every audit row, oldest first (for a supervisor's review and the tests)."""
    ensure_schema(db)
    out = []
    for row in db.query(
        "SELECT id, at, operator, reason, action, params, result_count FROM trace_audit ORDER BY id"
    ):
        out.append(
            {
                "id": int(row[0]),
                "at": row[1],
                "operator": row[2],
                "reason": row[3],
                "action": row[4],
                "params": json.loads(row[5]),
                "result_count": int(row[6]),
            }
        )
    return out
