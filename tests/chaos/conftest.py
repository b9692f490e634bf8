"""Chaos-test peers: Mosquitto by PID, the harness, the clock shim, the results table."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.harness import Harness
from tests.chaos.ledger import Row, table
from tests.messaging.peers import Broker
from tests.peers import free_port, require_executable, require_peer

ROWS: list[Row] = []
TABLE_FILE: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "chaos: multi-process store-and-forward fault tests (real mosquitto)")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if ROWS:
        terminalreporter.write_sep("=", "store-and-forward chaos table")
        terminalreporter.write_line(table(ROWS))
        if TABLE_FILE:
            terminalreporter.write_line(f"(also in {TABLE_FILE[0]})")


@pytest.fixture(scope="session")
def table_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.getbasetemp() / "chaos-table.md"
    TABLE_FILE[:] = [path]
    return path


@pytest.fixture
def record_row(table_file: Path) -> Callable[[Row], str]:
    """Add a row to the session's table (file and summary); returns the table so far."""

    def record(row: Row) -> str:
        ROWS.append(row)
        text = table(ROWS)
        table_file.write_text(text + "\n")
        print("\n" + table([row]))
        return text

    return record


@pytest.fixture
def chaos_broker(tmp_path: Path) -> Iterator[Callable[..., Broker]]:
    exe = require_executable("mosquitto")
    made: list[Broker] = []

    def make(extra_conf: str = "") -> Broker:
        workdir = tmp_path / f"broker{len(made)}"
        workdir.mkdir()
        b = Broker(exe, workdir, free_port(), extra_conf)
        made.append(b)
        b.start()
        return b

    yield make
    for b in made:
        b.kill()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(broker: Broker, **kw: Any) -> Harness:
        h = Harness(tmp_path, broker, **kw)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.fixture(scope="session")
def clockshift(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The LD_PRELOAD shim (tests/chaos/clockshift.c) built with gcc."""
    gcc = shutil.which("gcc")
    require_peer("gcc", gcc)
    out = tmp_path_factory.mktemp("clockshift") / "clockshift.so"
    src = Path(__file__).with_name("clockshift.c")
    subprocess.run([str(gcc), "-shared", "-fPIC", "-O2", "-o", str(out), str(src)], check=True)
    return out
