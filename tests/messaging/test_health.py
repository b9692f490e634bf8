"""Heartbeat helpers, the status file and sd_notify."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from messaging import health, sdnotify
from messaging.topics import Topics


def test_reader_states_and_status_file(tmp_path: Path) -> None:
    assert health.reader_states(tmp_path) is None
    (tmp_path / health.READER_STATE_FILE).write_text('{"mrz": "READY"}')
    assert health.reader_states(tmp_path) == {"mrz": "READY"}
    target = tmp_path / "sub" / health.STATUS_FILE
    health.write_json_atomic(target, {"online": True})
    assert json.loads(target.read_text()) == {"online": True}
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == [health.STATUS_FILE]


def test_clock_synced_is_a_bool_or_unknown() -> None:
    assert health.clock_synced() in (True, False, None)


def test_sd_notify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.notify("READY=1") is False
    path = tmp_path / "n.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert sdnotify.notify("READY=1")
        assert sock.recv(64) == b"READY=1"
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval_s() == 2.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert sdnotify.watchdog_interval_s() is None


def test_topics() -> None:
    t = Topics("imdms/v1", "MSU-BRIDGE", "t1")
    assert t.crossing == "imdms/v1/MSU-BRIDGE/t1/crossing"
    assert t.status == "imdms/v1/MSU-BRIDGE/t1/status"
    assert t.heartbeat == "imdms/v1/MSU-BRIDGE/t1/heartbeat"
    assert t.watchlist == "imdms/v1/watchlist"
    assert t.crossing_for("MAPUTSOE", "t9") == "imdms/v1/MAPUTSOE/t9/crossing"
    assert t.all_crossings == "imdms/v1/+/+/crossing"
