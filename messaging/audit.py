"""Booth audit events: who did what at a booth, sent to the centre through the outbox.

Each event is a JSON object matching `records/schema/audit-v1.json` (urn:imdms:schema:audit:v1)
and travels like a crossing (stored durably by `Outbox.add_audit`, deleted after the PUBACK) on
its own topic, `<prefix>/<border_post>/<terminal_id>/audit`. Like a crossing it carries its own
time: occurred_at (wall clock), boot_id and monotonic_ns (ordering before the clock synced).

`detail` holds a few flat values (reason, record_id, counts...). It is for the audit trail of
officers, never for travellers' personal data: no names, document numbers or notes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from imdms import __version__
from imdms.errors import SchemaError
from messaging.health import clock_synced
from records.clock import utc_now_iso
from records.record import boot_id, new_record_id
from records.schema import check_carriable, field_name

AUDIT_SCHEMA_PATH = Path(__file__).parents[1] / "records" / "schema" / "audit-v1.json"
AUDIT_SCHEMA_ID = "urn:imdms:schema:audit:v1"
HINT = "this is a software fault; report it to the technician"


class AuditKind(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"  # detail["reason"]: e.g. "officer", "idle", "shutdown"
    PIN_FAILED = "pin_failed"
    LOCKOUT = "lockout"
    ALERT_DECISION = "alert_decision"
    DISCARD = "discard"
    CORRECTION = "correction"
    VOID = "void"


def make_audit_event(
    kind: str,
    *,
    terminal_id: str,
    border_post: str,
    officer_id: str | None,
    detail: Mapping[str, str | int | bool | None],
) -> dict[str, Any]:
    """A new audit event (event_id a UUIDv7, occurred_at now, ISO 8601 UTC with "Z").

    Raises SchemaError when the kind is unknown or the event does not match audit-v1
    (e.g. sign_out without detail["reason"])."""
    if kind not in AuditKind._value2member_map_:
        raise SchemaError(f"unknown audit event kind ({field_name(kind)})", HINT)
    event: dict[str, Any] = {
        "event_id": new_record_id(),
        "schema": AUDIT_SCHEMA_ID,
        "kind": str(kind),
        "terminal_id": terminal_id,
        "border_post": border_post,
        "officer_id": officer_id,
        "occurred_at": utc_now_iso(),
        "clock_synced": clock_synced(),
        "boot_id": boot_id(),
        "monotonic_ns": time.monotonic_ns(),
        "software_version": __version__,
        "detail": dict(detail),
    }
    validate_audit(event)
    return event


def is_audit(data: Mapping[str, Any]) -> bool:
    """True for an audit event (exports mix them with crossing records)."""
    return data.get("schema") == AUDIT_SCHEMA_ID


@cache
def _fast_validator() -> Any:
    import fastjsonschema

    schema = json.loads(AUDIT_SCHEMA_PATH.read_text())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"  # same meaning here
    return fastjsonschema.compile(schema)


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(AUDIT_SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_audit(data: Mapping[str, Any]) -> None:
    """Raise SchemaError naming every problem by field (never by value)."""
    import fastjsonschema

    check_carriable(data, "audit event")
    try:
        _fast_validator()(data)
        return
    except fastjsonschema.JsonSchemaException:
        pass
    problems: set[str] = set()
    for err in _validator().iter_errors(data):
        if err.validator == "required" and isinstance(err.instance, Mapping):
            where = ".".join(str(p) for p in err.absolute_path)
            problems.update(f"{where + '.' if where else ''}{k}: missing"
                            for k in err.validator_value if k not in err.instance)
        else:
            path = ".".join(field_name(p) if isinstance(p, str) else str(p)
                            for p in err.absolute_path) or "(event)"
            problems.add(f"{path}: {err.validator}")
    if problems:
        raise SchemaError("audit event does not match audit-v1: " + "; ".join(sorted(problems)),
                          HINT)
