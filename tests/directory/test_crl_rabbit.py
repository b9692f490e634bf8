"""RabbitMQ 3.10 (the national broker) refuses a revoked terminal when its TLS options carry
crl_check and a hashed CRL folder, as deploy/central/advanced.config describes: the new CRL
counts from the next handshake, without a restart."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from central.directory.terminals import TerminalRegistry, build_crl, load_ca, write_crl
from tests.central.helpers import ADMIN, password_of
from tests.central.rabbit import COLLECTOR_USER, RabbitNode
from tests.directory.pki import connects, make_terminal_pki

pytestmark = [pytest.mark.peer, pytest.mark.slow]


def _advanced(pki: dict[str, Path], crl_dir: Path) -> str:
    # the whole ssl_options list: advanced.config replaces rabbitmq.conf's, it does not merge
    return f"""[{{rabbit, [{{ssl_options, [
    {{cacertfile, "{pki['ca']}"}}, {{certfile, "{pki['cert']}"}}, {{keyfile, "{pki['key']}"}},
    {{verify, verify_peer}}, {{fail_if_no_peer_cert, true}},
    {{crl_check, peer}},
    {{crl_cache, {{ssl_crl_hash_dir, {{internal, [{{dir, "{crl_dir}"}}]}}}}}}]}}]}}].
"""


def _install(crl: Path, crl_dir: Path) -> None:
    """What an operator does after `imdms terminal revoke`: copy, then `openssl rehash`."""
    shutil.copy(crl, crl_dir / "terminals.crl")
    subprocess.run(["openssl", "rehash", str(crl_dir)], check=True, capture_output=True)


def test_rabbitmq_refuses_a_revoked_terminal(tmp_path: Path) -> None:
    pki = make_terminal_pki(tmp_path / "pki")
    users = {COLLECTOR_USER: password_of(COLLECTOR_USER), "MSU-BRIDGE.t1": "unused",
             "MSU-BRIDGE.t2": "unused"}
    node = RabbitNode(tmp_path / "node", users, (ADMIN, password_of(ADMIN)), tls=pki)
    crl_dir = tmp_path / "crl"
    crl_dir.mkdir()
    (node.dir / "advanced.config").write_text(_advanced(pki, crl_dir))
    ca = load_ca(pki["ca"].read_bytes(), pki["ca_key"].read_bytes())
    reg = TerminalRegistry(tmp_path / "terminals.json")
    for tid in ("t1", "t2"):
        reg.register(f"MSU-BRIDGE.{tid}", pki[f"{tid}_cert"].read_bytes(), ca)
    crl = tmp_path / "terminals.crl"
    write_crl(crl, build_crl(ca, reg.revoked_serials(), days=1))
    _install(crl, crl_dir)
    try:
        node.start()
        port = node.mqtts_port
        assert connects(port, pki, "t1") and connects(port, pki, "t2")
        reg.revoke("MSU-BRIDGE.t1", "stolen")
        write_crl(crl, build_crl(ca, reg.revoked_serials(), days=1))
        _install(crl, crl_dir)
        # ssl_crl_hash_dir reads the folder at each handshake: no restart, no reload
        started = time.monotonic()
        while connects(port, pki, "t1"):
            assert time.monotonic() - started < 10, "RabbitMQ kept accepting a revoked terminal"
        print(f"revoked terminal refused {time.monotonic() - started:.1f} s after the new CRL")
        assert connects(port, pki, "t2")  # the others still connect
        assert "Certificate Revoked" in node.log_tail()
    finally:
        node.stop()
