"""Peers of the central tests: a real Mosquitto on a free loopback port, and the two stores.

The fixtures are used by the conftest.py of tests/collector, tests/central, tests/trace and
tests/seal; tests import the types (Store, Broker) from here.

`store` is parametrised over SQLite and a real PostgreSQL (one server per session, started and
stopped by PID in tests/collector/postgres.py; a fresh database per test), so every central test
runs on both and its id says which ([sqlite] / [postgresql]). In CI (IMDMS_REQUIRE_PEERS=1) a
missing PostgreSQL fails the postgresql cases.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.collector.postgres import PostgresServer
from tests.peers import free_port, require_executable

STORES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Store:
    """A fresh central store: `url` is what collector.database would say."""

    kind: str
    url: str
    server: PostgresServer | None = None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


def make_store(request: pytest.FixtureRequest, kind: str, directory: Path) -> Store:
    if kind == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return Store(kind, server.create_database(), server)
    return Store(kind, str(directory / "central.sqlite3"))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A fresh, empty central store of each kind."""
    return make_store(request, str(request.param), tmp_path)


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
