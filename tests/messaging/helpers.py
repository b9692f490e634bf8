"""Helpers for forwarder tests: fill an outbox fast, run a Forwarder in a thread."""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from messaging.forwarder import Forwarder, LinkSettings
from messaging.outbox import Outbox
from messaging.topics import Topics
from tests.messaging.records import make_record


def fill(box: Outbox, n: int, terminal_id: str = "t1") -> list[str]:
    """Queue n valid records in one transaction; returns their ids in queue order."""
    if n == 0:
        return []
    template = make_record(terminal_id=terminal_id).to_dict()
    rows = []
    from records.record import new_record_id

    for _ in range(n):
        rows.append(dict(template, record_id=new_record_id()))
    # validate one, then insert the rest straight away: 10,000 schema checks would dominate
    box._encode(rows[0])
    import json

    with box._tx() as db:
        for data in rows:
            payload = json.dumps(data, separators=(",", ":"), sort_keys=True)
            box._insert(db, data, payload, imported=False)
    return [r["record_id"] for r in rows]


@dataclass
class Running:
    forwarder: Forwarder
    thread: threading.Thread
    stop: threading.Event

    def halt(self, timeout: float = 15.0) -> None:
        self.stop.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "forwarder did not stop"


def start_forwarder(
    box: Outbox, data_dir: Path, port: int, *, terminal_id: str = "t1", **kw: Any
) -> Running:
    retry_base_s = kw.pop("retry_base_s", 0.05)
    settings = LinkSettings(
        host="127.0.0.1", port=port, client_id=f"fwd-{terminal_id}-{port}",
        backoff_min_s=0.1, backoff_max_s=0.5, heartbeat_s=kw.pop("heartbeat_s", 60.0), **kw,
    )
    fwd = Forwarder(settings, box, Topics("imdms/v1", "MSU-BRIDGE", terminal_id), data_dir,
                    retry_base_s=retry_base_s)
    stop = threading.Event()
    thread = threading.Thread(target=fwd.run, args=(stop,), name="forwarder", daemon=True)
    thread.start()
    return Running(fwd, thread, stop)


REPO = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, port: int, **broker: Any) -> Path:
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in broker.items())
    text = f"""
[terminal]
terminal_id = "t1"
border_post = "MSU-BRIDGE"
data_dir = "{tmp_path}"

[outbox]
disk_floor_mb = 1

[broker]
host = "127.0.0.1"
port = {port}
backoff_min_s = 0.1
backoff_max_s = 0.5
heartbeat_s = 5
{extra}
[logging]
level = "INFO"
"""
    path = tmp_path / "terminal.toml"
    path.write_text(text)
    return path


def forward_cmd(config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "imdms.cli", "forward", "--config", str(config), *extra]
