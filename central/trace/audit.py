"""The trace access log: who looked up whom, why, with what parameters and how many results.

Each trace query and link decision is a row of the central hash-chained audit log
(central/audit/: append-only, guarded by triggers, checked by `imdms audit verify`), so the
role that traces cannot rewrite its own history (docs/tracing.md: the role note). The
parameters are personal data (a document number searched for): they live in that table, never
in a log line.
"""

from __future__ import annotations

import json
from typing import Any

from central.audit.chain import record_view
from central.db import Database
from central.trace.schema import ensure_schema
from imdms.errors import ImdmsError

MAX_TEXT = 500


def _need(value: str | None, what: str, hint: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ImdmsError(f"{what} is required to see personal data (it is audited)", hint)
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
    record_view(
        db,
        operator=operator,
        reason=reason,
        action=action,
        params=params,
        result_count=result_count,
    )


def audit_rows(db: Database) -> list[dict[str, Any]]:
    """Every central view of personal data, oldest first (for a supervisor and the tests)."""
    ensure_schema(db)
    out = []
    for row in db.query(
        "SELECT seq, at, operator, reason, kind, detail FROM audit_log"
        " WHERE source = 'central' AND kind <> 'purge' ORDER BY seq"
    ):
        detail = json.loads(row[5])
        out.append(
            {
                "id": int(row[0]),
                "at": row[1],
                "operator": row[2],
                "reason": row[3],
                "action": row[4],
                "params": detail.get("params", {}),
                "result_count": int(detail.get("result_count", 0)),
            }
        )
    return out
