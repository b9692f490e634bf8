"""The heartbeat on the wire: one module both sides import (the forwarder builds it, the centre
parses it), checked against one JSON Schema file, messaging/heartbeat-v1.schema.json.

The forwarder publishes it retained, QoS 0, on `<prefix>/<post>/<terminal>/heartbeat` every
[broker] heartbeat_s. The centre reads the terminal's wall clock from the one key the schema
names (`WALL_TIME_KEY`, "sent_at"), sampled together with `monotonic_ns`: with `boot_id` and
`clock_synced` that pair dates the records the terminal made earlier in the same boot
(central/db.py). Every other field is an operator's figure (counts, ages, versions) and optional,
so that a heartbeat from an older or newer terminal still parses; unknown keys are allowed.

No threads, no I/O but reading the schema file once; no personal data in any field.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("heartbeat-v1.schema.json")
WALL_TIME_KEY = "sent_at"  # the one wall-clock key: the centre reads no other

__all__ = ["SCHEMA_PATH", "WALL_TIME_KEY", "Heartbeat", "parse", "schema"]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """One heartbeat. The first three fields are required on the wire; the rest may be None
    (absent). Field names are the JSON keys (the schema file describes each)."""

    sent_at: str
    boot_id: str
    monotonic_ns: int
    terminal_id: str | None = None
    border_post: str | None = None
    clock_synced: bool | None = None
    software_version: str | None = None
    outbox_pending: int | None = None
    outbox_pending_audit: int | None = None
    outbox_quarantined: int | None = None
    oldest_pending_age_s: float | None = None
    outbox_awaiting_receipt: int | None = None
    oldest_unreceipted_age_s: float | None = None
    disk_free_mb: float | None = None
    readers: dict[str, Any] | None = None
    watchlist_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object as the forwarder publishes it (every key, None as null)."""
        return asdict(self)

    def encode(self) -> bytes:
        """The payload: key-sorted JSON, UTF-8 (what the forwarder always sent)."""
        return json.dumps(self.to_dict(), sort_keys=True).encode("utf-8")


_KEYS = frozenset(f.name for f in fields(Heartbeat))


@cache
def schema() -> dict[str, Any]:
    """The heartbeat JSON Schema (draft 2020-12), as loaded from SCHEMA_PATH."""
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


@cache
def _validator() -> Any:
    # fastjsonschema (as records/schema.py): every keyword used means the same in draft 7
    import fastjsonschema

    draft7 = dict(schema(), **{"$schema": "http://json-schema.org/draft-07/schema#"})
    return fastjsonschema.compile(draft7)


def parse(payload: bytes | str) -> Heartbeat:
    """A heartbeat payload as published; raises ValueError (naming the problem, never a value)
    when it is not JSON or does not follow the schema (e.g. no `sent_at`)."""
    import fastjsonschema

    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError("heartbeat: not JSON") from err
    try:
        _validator()(data)
    except fastjsonschema.JsonSchemaException as err:
        raise ValueError(f"heartbeat: {err}") from err
    return Heartbeat(**{k: v for k, v in data.items() if k in _KEYS})
