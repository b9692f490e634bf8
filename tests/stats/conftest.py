"""A real Mosquitto on a free loopback port for the statistics tests (stopped by PID)."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.peers import free_port, require_executable


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    pid: int


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Broker]:
    exe = require_executable("mosquitto")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous true\n"
        "persistence false\n"
        "max_queued_messages 0\n"
        "log_dest stderr\n"
    )
    log = (tmp_path / "mosquitto.log").open("wb")
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "mosquitto did not start: "
                        + (tmp_path / "mosquitto.log").read_text()[-500:]
                    )
                time.sleep(0.02)  # polling a port: no event to await
        yield Broker("127.0.0.1", port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
