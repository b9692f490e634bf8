"""The heartbeat's one schema, both sides (messaging/heartbeat.py), and the reader-state file
the booth writes for it (messaging.health.write_reader_state)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import jsonschema
import pytest

from central.db import Database
from messaging import health, heartbeat, reports
from messaging.outbox import Outbox
from messaging.topics import Topics


def test_the_forwarders_heartbeat_follows_the_schema(tmp_path: Path) -> None:
    health.write_reader_state(tmp_path, {"mrz": "READY", "chip": "FAILED"})
    with Outbox(tmp_path / "o.sqlite3") as box:
        beat = reports.heartbeat(box, Topics("imdms/v1", "MSU-BRIDGE", "t1"), tmp_path, "wl-3")
    data = json.loads(beat.encode())
    schema = heartbeat.schema()
    jsonschema.validators.validator_for(schema)(schema).validate(data)
    assert heartbeat.WALL_TIME_KEY in schema["required"]
    assert set(data) == set(schema["properties"])  # every field is described, none missing
    assert data["readers"] == {"mrz": "READY", "chip": "FAILED"}
    assert heartbeat.parse(beat.encode()) == beat


def test_parse_names_the_problem_never_guesses_the_time() -> None:
    ok = {"sent_at": "2026-03-01T06:00:00.000Z", "boot_id": "b-1", "monotonic_ns": 5}
    assert heartbeat.parse(json.dumps(ok)).sent_at == ok["sent_at"]
    # the other keys the centre used to try are not a time any more
    guessed = {"wall_time": ok["sent_at"], "boot_id": "b-1", "monotonic_ns": 5}
    for bad, why in ((b"not json", "not JSON"), (json.dumps(guessed).encode(), "sent_at"),
                     (json.dumps(dict(ok, monotonic_ns=True)).encode(), "monotonic_ns")):
        with pytest.raises(ValueError, match=why):
            heartbeat.parse(bad)


def test_the_centre_reads_sent_at_only(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    try:
        base = {"terminal_id": "t1", "boot_id": "b-1", "monotonic_ns": 10**9,
                "clock_synced": True}
        assert not db.heartbeat(json.dumps(dict(base, wall_time="2026-03-01T06:00:00Z")).encode())
        assert db.heartbeat(json.dumps(dict(base, sent_at="2026-03-01T06:00:00.000Z")).encode())
    finally:
        db.close()


def test_write_reader_state_is_atomic_and_private(tmp_path: Path) -> None:
    health.write_reader_state(tmp_path, {"mrz": "READY"})
    path = tmp_path / health.READER_STATE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert health.reader_states(tmp_path) == {"mrz": "READY"}
    health.write_reader_state(tmp_path, {"mrz": "DISCONNECTED"})
    assert health.reader_states(tmp_path) == {"mrz": "DISCONNECTED"}
    assert [p.name for p in tmp_path.iterdir()] == [health.READER_STATE_FILE]  # no temp left
