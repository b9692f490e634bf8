"""`imdms outbox status|export|import|requeue` and `imdms forward` under systemd-like notify."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from imdms.cli import main
from messaging.outbox import Outbox
from tests.messaging.helpers import REPO, fill, forward_cmd, write_config
from tests.messaging.records import make_record


def config_for(tmp_path: Path, name: str, terminal_id: str) -> Path:
    data = tmp_path / name
    data.mkdir()
    path = data / "terminal.toml"
    path.write_text(
        f'[terminal]\nterminal_id = "{terminal_id}"\nborder_post = "MAPUTSOE"\n'
        f'data_dir = "{data}"\n[outbox]\ndisk_floor_mb = 1\n'
    )
    return path


def test_status_export_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    offline = config_for(tmp_path, "offline", "t7")
    online = config_for(tmp_path, "online", "t1")
    box = Outbox(tmp_path / "offline" / "outbox.sqlite3")
    ids = fill(box, 1001, terminal_id="t7")
    box.close()

    assert main(["outbox", "status", "--json", "--config", str(offline)]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["pending"] == 1001 and st["quarantined"] == 0 and st["last_error"] is None
    assert st["oldest_age_s"] >= 0

    stick = tmp_path / "usb"
    stick.mkdir()
    assert main(["outbox", "export", str(stick), "--config", str(offline)]) == 0
    out = capsys.readouterr()
    exported = Path(out.out.strip())
    assert exported.parent == stick and stat.S_IMODE(exported.stat().st_mode) == 0o600
    assert "1000/1001" in out.err and "1001/1001" in out.err  # progress
    lines = exported.read_text().splitlines()
    assert [json.loads(x)["record_id"] for x in lines] == ids

    for expected in (1001, 0):  # a second import queues nothing twice
        assert main(["outbox", "import", str(exported), "--config", str(online)]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["queued"] == expected and result["already_known"] == 1001 - expected
    target = Outbox(tmp_path / "online" / "outbox.sqlite3")
    rows = target.fetch(0, 2000)
    assert {r.terminal_id for r in rows} == {"t7"}  # original terminal kept
    assert [r.record_id for r in rows] == ids
    target.close()


def test_import_reports_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_for(tmp_path, "t", "t1")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(make_record().to_json() + "\nnot json\n{\"record_id\": 1}\n")
    assert main(["outbox", "import", str(bad), "--config", str(cfg)]) == 1
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert (result["queued"], result["already_known"], result["rejected"]) == (1, 0, 2)
    assert [r["line"] for r in result["rejections"]] == [2, 3]
    assert result["rejections"][0]["reason"] == "not JSON"
    assert result["rejections"][1]["reason"].startswith("record does not match crossing-v1")
    assert "bad.jsonl line 2: not JSON" in out.err


def test_export_to_missing_folder_is_clear(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_for(tmp_path, "t", "t1")
    assert main(["outbox", "export", str(tmp_path / "nope"), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "not a folder" in err and "what to do" in err


def test_forward_without_broker_is_clear(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config_for(tmp_path, "t", "t1")
    # one-shot sync needs a broker; the daemon idles instead (test_forward_disabled.py)
    assert main(["forward", "--exit-when-empty", "--config", str(cfg)]) == 2
    assert "forwarding is disabled" in capsys.readouterr().err


def test_forward_exit_when_empty_with_the_broker_unreachable(tmp_path: Path) -> None:
    """Nothing to send: a one-shot sync exits 0 at once, without waiting for a broker that
    cannot be reached (192.0.2.1 is TEST-NET-1: a connect would hang for paho's timeout)."""
    import time

    config = write_config(tmp_path, 1883)
    config.write_text(config.read_text().replace('host = "127.0.0.1"', 'host = "192.0.2.1"'))
    Outbox(tmp_path / "outbox.sqlite3").close()
    started = time.monotonic()
    assert main(["forward", "--exit-when-empty", "--config", str(config)]) == 0
    assert time.monotonic() - started < 3.0
    status = json.loads((tmp_path / "forwarder-status.json").read_text())
    assert status["online"] is False and status["last_error"] == "forwarder stopped"


@pytest.mark.peer
def test_forward_notifies_systemd_and_stops_on_sigterm(tmp_path: Path, broker: Any) -> None:
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.add(make_record())
    config = write_config(tmp_path, broker.port)
    sock_path = tmp_path / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(sock_path))
    listener.settimeout(20)
    env = dict(os.environ, NOTIFY_SOCKET=str(sock_path), WATCHDOG_USEC="200000")
    proc = subprocess.Popen(forward_cmd(config), cwd=REPO, env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        seen: list[str] = []
        while not ({"READY=1", "WATCHDOG=1"} <= set(seen)):
            seen.append(listener.recv(256).decode())
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(15) == 0
        while "STOPPING=1" not in seen:
            seen.append(listener.recv(256).decode())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        listener.close()
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    assert "Traceback" not in err
    assert box.status().pending == 0
    status = json.loads((tmp_path / "forwarder-status.json").read_text())
    assert status["online"] is False and set(status) >= {"since", "last_error", "updated_at"}
    box.close()
