"""Fixtures for the real PC/SC path: pyscard -> pcscd -> vpcd -> our simulator.

`pcscd` starts `pcscd -f` once per session (root needed; vpcd's driver must be installed),
clears stale /run/pcscd files a killed pcscd leaves behind, waits for the vpcd reader by
retrying, and stops pcscd by PID at the end. `sim` inserts simulated cards into slot 00 00.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.peers import require_executable, require_peer
from tools.epassport_sim import EPassportCard, TestPki, VpcdClient, make_test_pki

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
RUN_DIR = Path("/run/pcscd")
READER = "Virtual PCD 00 00"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale_run_files() -> None:
    """A SIGKILLed pcscd leaves pcscd.comm and pcscd.pid, which block the next start."""
    pid_file = RUN_DIR / "pcscd.pid"
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip() or 0)
        except ValueError:
            pid = 0
        if pid and _alive(pid):
            pytest.fail(f"another pcscd (pid {pid}) is running: stop it before the chip tests")
    for name in ("pcscd.comm", "pcscd.pid"):
        (RUN_DIR / name).unlink(missing_ok=True)


def _wait_for_reader(proc: subprocess.Popen[bytes], log: Path, timeout: float = 15.0) -> None:
    from smartcard import scard

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"pcscd exited with status {proc.returncode} at start: {_tail(log)}")
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult == scard.SCARD_S_SUCCESS:
            try:
                hresult, readers = scard.SCardListReaders(ctx, [])
                if hresult == scard.SCARD_S_SUCCESS and any(READER in r for r in readers):
                    return
            finally:
                scard.SCardReleaseContext(ctx)
        time.sleep(0.05)  # pcscd offers no readiness signal to wait on
    pytest.fail(f"pcscd did not list the vpcd reader in time: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-600:]
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private `pcscd -f` for the session; yields the vpcd reader name."""
    exe = require_executable("pcscd")
    require_peer("vsmartcard-vpcd", VPCD_DRIVER.exists() and VPCD_CONF.exists())
    pytest.importorskip("smartcard", reason="pyscard (chip extra) is not installed")
    require_peer("root (pcscd needs it)", os.geteuid() == 0)
    _clean_stale_run_files()
    log = tmp_path_factory.mktemp("pcscd") / "pcscd.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([exe, "-f", "-i"], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_reader(proc, log)
        yield READER
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        _clean_stale_run_files()


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return make_test_pki()


@pytest.fixture
def csca_dir(tmp_path: Path, pki: TestPki) -> Path:
    folder = tmp_path / "csca"
    folder.mkdir()
    (folder / "test-csca.pem").write_bytes(pki.csca_pem())
    return folder


@dataclass
class ChipConfigStub:
    """Stands in for config.models.ChipConfig (same fields)."""

    reader: str = READER
    csca_path: Path | None = None
    max_le: int = 65536
    type: str = "chip"


@pytest.fixture
def sim(pcscd: str) -> Iterator[Callable[[EPassportCard], VpcdClient]]:
    """insert(card) -> the running VpcdClient; every card is removed at teardown."""
    clients: list[VpcdClient] = []

    def insert(card: EPassportCard) -> VpcdClient:
        client = VpcdClient(card)
        client.start()
        clients.append(client)
        return client

    yield insert
    for client in clients:
        client.stop()
    wait_removed(pcscd)


def wait_removed(reader: str) -> None:
    from drivers.chip.transport import PcscTransport

    t = PcscTransport(reader)
    try:
        t.wait_for_removal(3.0)
    finally:
        t.close()
