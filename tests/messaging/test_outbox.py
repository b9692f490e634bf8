"""The durable outbox: validation, disk floor, modes, forwarder bookkeeping, export/import."""

from __future__ import annotations

import json
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from imdms.errors import DiskFullError, OutboxError, SchemaError
from messaging.outbox import Outbox
from tests.messaging.records import make_record

MIB = 1024 * 1024


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_add_is_durable_and_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "outbox.sqlite3"
    with Outbox(path) as box:
        rec = make_record()
        box.add(rec)
        box.add(rec)  # same record_id: stored once
        st = box.status()
        assert st.pending == 1 and st.quarantined == 0
        assert st.oldest_age_s is not None and st.oldest_age_s < 60
        for side in ("-wal", "-shm"):  # exist while a WAL connection is open
            assert mode(Path(str(path) + side)) == 0o600
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    with Outbox(path) as box:  # survives reopening
        assert box.status().pending == 1
        (row,) = box.fetch(0, 5)
        assert row.record_id == rec.record_id and row.kind == "crossing"
        assert json.loads(row.payload)["terminal_id"] == "t1"


def test_wider_existing_mode_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Outbox(path).close()
    assert mode(path) == 0o600


def test_schema_rejects(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3") as box:
        bad = make_record().to_dict()
        bad["direction"] = "SIDEWAYS"
        with pytest.raises(SchemaError) as err:
            box.add_dict(bad)
        assert "direction" in str(err.value)
        assert box.status().pending == 0


def test_size_limit_before_enqueue(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3", max_record_bytes=2048) as box:
        with pytest.raises(OutboxError, match="too large"):
            box.add(make_record(notes="x" * 1900))
        assert box.status().pending == 0


def test_disk_floor_refuses_new_keeps_old(tmp_path: Path) -> None:
    free = {"bytes": 500 * MIB}
    box = Outbox(tmp_path / "o.sqlite3", disk_floor_mb=200, free_bytes=lambda p: free["bytes"])
    box.add(make_record())
    free["bytes"] = 150 * MIB
    with pytest.raises(DiskFullError) as err:
        box.add(make_record())
    assert "NOT saved" in err.value.message and "paper" in err.value.hint
    assert box.status().pending == 1
    # the forwarder can still delete after PUBACK while below the floor
    (row,) = box.fetch(0, 10)
    box.mark_sent([row.seq])
    assert box.status().pending == 0
    box.close()
    box.close()  # idempotent


def test_lanes_suspects_and_quarantine(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3", quarantine_after=2)
    first = [make_record() for _ in range(3)]
    for r in first:
        box.add(r)
    boundary = box.max_seq()
    live = make_record()
    box.add(live)
    imported = make_record(terminal_id="t9").to_dict()
    assert box.import_records([imported]) == (1, 0, 0)
    backlog = box.fetch(0, 10, upto=boundary)
    assert [r.record_id for r in backlog] == [r.record_id for r in first] + [imported["record_id"]]
    assert [r.record_id for r in box.fetch(boundary, 10, live=True)] == [live.record_id]
    seq = backlog[0].seq
    assert not box.mark_failed(seq, "broker refused (0x87)", count=True, retry_in_s=0)
    assert seq not in [r.seq for r in box.fetch(0, 10, upto=boundary)]  # suspects leave the lanes
    (suspect,) = box.due_suspects(now=1e12)
    assert suspect.seq == seq and suspect.attempts == 1
    assert box.mark_failed(seq, "broker refused (0x87)", count=True, retry_in_s=0)
    st = box.status()
    assert st.pending == 4 and st.quarantined == 1 and st.last_error is not None
    assert "0x87" in st.last_error
    assert box.requeue() == 1
    assert box.status().quarantined == 0 and box.status().pending == 5
    box.close()


def test_mark_sent_keeps_only_id_tombstones(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path)
    recs = [make_record() for _ in range(55)]
    for r in recs:
        box.add(r)
    box.mark_sent([r.seq for r in box.fetch(0, 1000)])
    assert box.status().pending == 0
    box.close()
    raw = sqlite3.connect(path)
    cols = [r[1] for r in raw.execute("PRAGMA table_info(sent)")]
    assert cols == ["record_id", "sent_at"]  # no payload: no personal data kept after sending
    assert raw.execute("SELECT COUNT(*) FROM sent").fetchone()[0] == 55
    raw.close()
    with Outbox(path) as box:
        # a sent record cannot be queued again (import idempotence), also by add()
        assert box.import_records([recs[0].to_dict()]) == (0, 1, 0)
        assert box.add_dict(recs[1].to_dict()) is False
        assert box.status().pending == 0


def test_import_twice_and_rejects(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    good = [make_record(terminal_id="t2").to_dict() for _ in range(3)]
    bad = dict(good[0], record_id="not-a-uuid")
    seen: list[int] = []
    assert box.import_records([*good, bad], progress=seen.append) == (3, 0, 1)
    assert seen and seen[-1] == 4
    assert box.import_records(good) == (0, 3, 0)
    # the invalid one is kept in quarantine with the reason, and never requeued
    assert box.status().quarantined == 1
    (reason,) = box.quarantine_reasons()
    assert reason.startswith("import: record does not match") and "record_id" in reason
    assert box.requeue() == 0 and box.status().quarantined == 1
    assert box.import_records([bad]) == (0, 1, 0) and box.status().quarantined == 1
    rows = box.fetch(0, 10)
    assert {r.terminal_id for r in rows} == {"t2"}
    assert {r.record_id for r in rows} == {g["record_id"] for g in good}
    assert json.loads(rows[0].payload) == good[0]
    box.close()


def test_closed_outbox_raises(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.close()
    with pytest.raises(OutboxError):
        box.status()


def test_unopenable_path_is_clear(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutboxError, match="cannot open the outbox"):
        Outbox(blocker / "o.sqlite3")


def test_suspect_retry_survives_clock_going_back(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.add(make_record())
    (row,) = box.fetch(0, 10)
    # a retry time a day ahead can only come from a wall clock that has since gone back
    box.mark_failed(row.seq, "link dropped", count=True, retry_in_s=86400)
    assert [r.seq for r in box.due_suspects(now=time.time())] == [row.seq]
    due = box.next_retry_at()
    assert due is not None and due <= time.time()
    box.close()
