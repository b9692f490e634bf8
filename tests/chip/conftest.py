"""Fixtures for the real PC/SC path: pyscard -> pcscd -> vpcd -> our simulator.

`pcscd` starts `pcscd -f` once per session (tools/epassport_sim/pcscd.py: root needed, vpcd's
driver must be installed, stale /run/pcscd files cleared, reader awaited by retrying, stopped by
PID at the end). `sim` inserts simulated cards into slot 00 00.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.chip.helpers import wait_removed
from tests.peers import require_executable, require_peer
from tools.epassport_sim import EPassportCard, TestPki, VpcdClient, make_test_pki
from tools.epassport_sim.pcscd import VPCD_CONF, VPCD_DRIVER, Pcscd, PcscdError


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private `pcscd -f` for the session; yields the vpcd reader name."""
    exe = require_executable("pcscd")
    require_peer("vsmartcard-vpcd", VPCD_DRIVER.exists() and VPCD_CONF.exists())
    require_peer("pyscard", importlib.util.find_spec("smartcard") is not None)
    require_peer("root (pcscd needs it)", os.geteuid() == 0)
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log", exe)
    try:
        reader = daemon.start()
    except PcscdError as err:
        pytest.fail(str(err))
    try:
        yield reader
    finally:
        daemon.stop()


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return make_test_pki()


@pytest.fixture
def csca_dir(tmp_path: Path, pki: TestPki) -> Path:
    folder = tmp_path / "csca"
    folder.mkdir()
    (folder / "test-csca.pem").write_bytes(pki.csca_pem())
    return folder


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


