"""Storing a booth's audit event (audit-v1, `<prefix>/<post>/<terminal>/audit`) in the chain.

Called by the collector inside its per-message savepoint. An event is stored once (by
event_id: a redelivery or a re-imported stick is a duplicate); an invalid one is kept in
`rejected` with the reason, like a bad crossing. The booth's own time and clock state go into
detail beside the event's flat detail values; `at` is the centre's receive time.
"""

from __future__ import annotations

from central.audit.chain import Entry, append, has_event, lock
from central.db import Database, Ingested, compact_reason
from imdms.errors import SchemaError
from messaging.audit import validate_audit

BOOTH_KEYS = ("occurred_at", "clock_synced", "boot_id", "monotonic_ns", "software_version")


def ingest_booth_event(
    db: Database,
    payload: bytes,
    *,
    topic: str = "",
    post: str | None = None,
    terminal: str | None = None,
    at: str | None = None,
) -> Ingested:
    """Validate and chain one booth event: outcome "audit", "duplicate" or "rejected".

    post/terminal: from the topic; an event claiming another post or terminal is rejected (the
    broker's ACL authenticates the topic, not the payload).
    """
    data, rejected = db._parse(topic, payload)  # the crossing ingest's own checks
    if data is None:
        assert rejected is not None
        return rejected
    try:
        validate_audit(data)
    except SchemaError as err:
        return db.reject(topic, payload, compact_reason(err.message))
    if (post is not None and data["border_post"] != post) or (
        terminal is not None and data["terminal_id"] != terminal
    ):
        return db.reject(topic, payload, "border_post/terminal_id differ from the topic")
    detail = {k: data[k] for k in BOOTH_KEYS}
    detail["detail"] = data["detail"]
    entry = Entry(
        "booth",
        data["kind"],
        operator=data["officer_id"],
        detail=detail,
        event_id=data["event_id"],
        terminal_id=data["terminal_id"],
        border_post=data["border_post"],
    )
    lock(db)  # before the check: a collector racing on the same event waits, then sees it
    if has_event(db, data["event_id"]):
        return Ingested("duplicate")
    append(db, entry, at=at)
    return Ingested("audit")
