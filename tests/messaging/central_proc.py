"""A real `imdms collect` process (SQLite store) and a receipting terminal's config, for the
receipt tests (tests/messaging/test_receipts_e2e.py, tests/chaos)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def collect_config(path: Path, port: int, database: Path, *, client_id: str = "collector",
                   extra_broker: str = "") -> Path:
    path.write_text(
        f'[broker]\nhost = "127.0.0.1"\nport = {port}\nclient_id = "{client_id}"\n'
        f"backoff_min_s = 0.1\nbackoff_max_s = 1\n{extra_broker}\n"
        f'[collector]\ndatabase = "{database}"\nshare_group = "receipts"\n'
    )
    return path


def start_collect(config: Path, log: Path, *,
                  env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`imdms collect` (any transport), returned once it has subscribed (its log line); stderr
    kept in `log` (drained by a thread, so a chatty collector never blocks on a full pipe).
    `env`: extra variables, e.g. CREDENTIALS_DIRECTORY. The one helper of every test that runs
    the collector as its own process."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "imdms.cli", "collect", "--config", str(config)],
        stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO), **(env or {})},
    )
    assert proc.stderr is not None
    with log.open("a") as out:
        for line in proc.stderr:
            out.write(line)
            if "collector subscribed" in line:
                break
        else:
            pytest.fail("imdms collect exited before subscribing: " + log.read_text()[-800:])
    threading.Thread(target=_drain, args=(proc, log), daemon=True).start()
    return proc


def _drain(proc: subprocess.Popen[str], log: Path) -> None:
    assert proc.stderr is not None
    with log.open("a") as out:
        for line in proc.stderr:
            out.write(line)


def stop(proc: subprocess.Popen[str]) -> int:
    if proc.poll() is None:
        proc.terminate()
        try:
            return proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.wait(10)


def central_ids(database: Path) -> set[str]:
    """Record ids committed in the central SQLite store (read-only, beside the collector)."""
    if not database.exists():
        return set()
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return {r[0] for r in db.execute("SELECT record_id FROM records")}
    except sqlite3.OperationalError:  # the collector has not made its tables yet
        return set()
    finally:
        db.close()


def terminal_config(tmp_path: Path, port: int, *, timeout_s: float = 1.0, attempts: int = 20,
                    broker: str = "") -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text(f"""
[terminal]
terminal_id = "t1"
border_post = "MSU-BRIDGE"
data_dir = "{tmp_path}"

[outbox]
disk_floor_mb = 1
receipts = true
receipt_timeout_s = {timeout_s}
receipt_attempts = {attempts}

[broker]
host = "127.0.0.1"
port = {port}
backoff_min_s = 0.1
backoff_max_s = 0.5
heartbeat_s = 5
{broker}
[logging]
level = "INFO"
""")
    return path
