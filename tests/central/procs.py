"""Real processes for the RabbitMQ tests: terminals' `imdms forward` and `imdms collect`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from central.db import Database
from messaging.outbox import Outbox
from tests.central.helpers import POST, password_of, terminal_user
from tests.central.rabbit import RabbitNode
from tests.messaging import central_proc
from tests.messaging.helpers import fill


def add_records(cfg: Path, n: int, terminal_id: str) -> list[str]:
    """Queue n more crossings in the booth's outbox (as its officers would, while it forwards);
    returns their ids."""
    box = Outbox(cfg.parent / "outbox.sqlite3", disk_floor_mb=1)
    try:
        return fill(box, n, terminal_id=terminal_id)
    finally:
        box.close()


def pending(cfg: Path) -> int:
    box = Outbox(cfg.parent / "outbox.sqlite3", disk_floor_mb=1)
    try:
        return int(box.status().pending)
    finally:
        box.close()


def terminal(tmp_path: Path, node: RabbitNode, terminal_id: str, n: int) -> tuple[Path, list[str]]:
    """A booth's data dir with n crossings queued and its terminal.toml (MQTT 3.1.1 to node)."""
    data = tmp_path / terminal_id
    data.mkdir()
    user = terminal_user(terminal_id)
    secret = data / "mqtt.password"
    secret.write_text(password_of(user))
    secret.chmod(0o600)
    box = Outbox(data / "outbox.sqlite3", disk_floor_mb=1)
    try:
        ids = fill(box, n, terminal_id=terminal_id)
    finally:
        box.close()
    cfg = data / "terminal.toml"
    cfg.write_text(
        f'[terminal]\nterminal_id = "{terminal_id}"\nborder_post = "{POST}"\ndata_dir = "{data}"\n'
        "\n[outbox]\ndisk_floor_mb = 1\n"
        f'\n[broker]\nhost = "127.0.0.1"\nport = {node.mqtt_port}\nprotocol = "3.1.1"\n'
        f'username = "{user}"\npassword_credential = "{secret}"\n'
        "backoff_min_s = 0.1\nbackoff_max_s = 1\nheartbeat_s = 5\n"
    )
    return cfg, ids


def forward(cfg: Path, *, daemon: bool = False) -> subprocess.Popen[str]:
    """`imdms forward --exit-when-empty`: drains the outbox into the broker, then exits
    (`daemon`: runs until SIGTERM, as the booth's service)."""
    once = [] if daemon else ["--exit-when-empty"]
    return subprocess.Popen(
        [sys.executable, "-m", "imdms.cli", "forward", *once, "--config", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_collect(cfg: Path, log: Path) -> subprocess.Popen[str]:
    """`imdms collect` (amqp), returned once it consumes; its password credential beside cfg."""
    return central_proc.start_collect(cfg, log, env={"CREDENTIALS_DIRECTORY": str(cfg.parent)})


def count(url: str) -> int:
    db = Database(url)
    try:
        return int(db.query("SELECT COUNT(*) FROM records")[0][0])
    finally:
        db.close()


def wait_count(url: str, n: int, timeout_s: float = 60) -> int:
    deadline = time.monotonic() + timeout_s
    got = count(url)
    while got < n and time.monotonic() < deadline:
        time.sleep(0.05)  # another process's commits: no event to await
        got = count(url)
    return got


def stored_ids(url: str) -> list[str]:
    db = Database(url)
    try:
        return [r["record_id"] for r in db.iter_records()]
    finally:
        db.close()
