"""Messages no store can hold, each with the reason it must be rejected with (a NUL byte, a lone
surrogate, a number past 64 bits, too large, not JSON); shared by the collector and AMQP tests."""

from __future__ import annotations

import json
from typing import Any

from central.db import MAX_MESSAGE_BYTES
from tests.collector.records import make

TOPIC = "imdms/v1/MSU-BRIDGE/t1/crossing"
HEARTBEAT = "imdms/v1/MSU-BRIDGE/t1/heartbeat"
NUL = "a string holds a NUL character (U+0000), which the store cannot hold"
SURROGATE = "a string holds an unpaired UTF-16 surrogate (not valid Unicode)"


def good_record(**fields: Any) -> bytes:
    rec = make()
    rec.update(fields)
    return json.dumps(rec).encode()


def poison() -> list[tuple[str, bytes, str]]:
    """(topic, payload, the reason it must be rejected with)."""
    huge = b'{"note": "' + b"x" * (MAX_MESSAGE_BYTES + 10) + b'"}'
    heartbeat = {
        "terminal_id": "t1",
        "boot_id": "boot\u0000",
        "monotonic_ns": 5,
        "clock_synced": True,
        "sent_at": "2026-03-01T06:00:00.000Z",
    }
    return [
        (TOPIC, b"\x00\x01 not json \x00", "not JSON"),
        (TOPIC, good_record(boot_id="boot\u0000"), NUL),  # schema-valid: boot_id is any string
        (HEARTBEAT, json.dumps(heartbeat).encode(), NUL),
        (TOPIC, b'{"record_id": "\xff\xfe"}', "not JSON"),  # invalid UTF-8
        (TOPIC, good_record(boot_id="boot\ud800"), SURROGATE),
        (TOPIC, good_record(monotonic_ns=2**64), "a number is outside the 64-bit range"),
        (TOPIC, huge, f"too large: {len(huge)} bytes (limit {MAX_MESSAGE_BYTES})"),
    ]
