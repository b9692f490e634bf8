"""`imdms terminal revoke ID`: the registry records it, the CRL is regenerated from the
terminals' CA, and a real mosquitto (require_certificate + crlfile) refuses that terminal while
the others still connect."""

from __future__ import annotations

import getpass
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from imdms.cli import main
from tests.directory.pki import connects, make_terminal_pki

pytestmark = pytest.mark.peer


def test_revoked_terminal_refused_by_the_broker(tmp_path: Path, broker_factory: Any) -> None:
    pki = make_terminal_pki(tmp_path / "pki")
    crl = tmp_path / "central" / "terminals.crl"
    cfg = tmp_path / "central.toml"
    cfg.write_text(f"""
[directory]
terminals_file = "{tmp_path / 'central' / 'terminals.json'}"
ca_cert = "{pki['ca']}"
ca_key_credential = "{pki['ca_key']}"
crl_file = "{crl}"
""")
    args = ["--config", str(cfg), "terminal"]
    for tid in ("t1", "t2"):
        assert main([*args, "register", f"MSU-BRIDGE.{tid}", str(pki[f"{tid}_cert"])]) == 0
    assert main([*args, "crl"]) == 0  # the broker needs a CRL to start with one configured
    broker = broker_factory(tls=pki, extra_conf=f"crlfile {crl}\n")
    assert connects(broker.port, pki, "t1") and connects(broker.port, pki, "t2")

    assert main([*args, "revoke", "MSU-BRIDGE.t1", "--reason", "stolen"]) == 0
    listed = x509.load_pem_x509_crl(crl.read_bytes())
    t1 = x509.load_pem_x509_certificate(pki["t1_cert"].read_bytes())
    assert listed.get_revoked_certificate_by_serial_number(t1.serial_number) is not None
    assert len(list(listed)) == 1

    # mosquitto (2.0.11 here) loads crlfile with the listener's TLS context: the new CRL on
    # disk changes nothing until SIGHUP (handled in its main loop, so not at once) or a restart
    assert connects(broker.port, pki, "t1")
    assert broker.proc is not None
    os.kill(broker.proc.pid, signal.SIGHUP)
    deadline = time.monotonic() + 10
    while connects(broker.port, pki, "t1"):
        assert time.monotonic() < deadline, "SIGHUP did not make mosquitto read the new CRL"
        time.sleep(0.2)
    assert connects(broker.port, pki, "t2")  # the others still connect
    broker.stop()
    broker.start()
    assert not connects(broker.port, pki, "t1")  # and after a restart
    assert connects(broker.port, pki, "t2")
    assert "certificate verify failed" in (broker.workdir / "mosquitto.log").read_text()


def test_the_shipped_mosquitto_example_checks_the_crl(tmp_path: Path,
                                                      broker_factory: Any) -> None:
    """deploy/central/mosquitto.conf with its paths and port replaced boots and refuses a
    revoked terminal."""
    from central.directory.terminals import TerminalRegistry, build_crl, load_ca, write_crl
    from tests.messaging.peers import Broker

    pki = make_terminal_pki(tmp_path / "pki")
    ca = load_ca(pki["ca"].read_bytes(), pki["ca_key"].read_bytes())
    reg = TerminalRegistry(tmp_path / "terminals.json")
    for tid in ("t1", "t2"):
        reg.register(f"MSU-BRIDGE.{tid}", pki[f"{tid}_cert"].read_bytes(), ca)
    reg.revoke("MSU-BRIDGE.t1")
    crl = tmp_path / "terminals.crl"
    write_crl(crl, build_crl(ca, reg.revoked_serials(), days=1))
    shipped = (Path(__file__).parents[2] / "deploy" / "central" / "mosquitto.conf").read_text()
    shipped_acl = Path(__file__).parents[2] / "deploy" / "central" / "mosquitto.acl"
    b: Broker = broker_factory(start=False)
    subs = {r"(?m)^listener 8883$": f"listener {b.port} 127.0.0.1",
            r"(?m)^cafile .*$": f"cafile {pki['ca']}",
            r"(?m)^certfile .*$": f"certfile {pki['cert']}",
            r"(?m)^keyfile .*$": f"keyfile {pki['key']}",
            r"(?m)^crlfile .*$": f"crlfile {crl}",
            r"(?m)^acl_file .*$": f"acl_file {shipped_acl}"}
    for pattern, value in subs.items():
        shipped, n = re.subn(pattern, value, shipped)
        assert n == 1, f"deploy/central/mosquitto.conf has no line matching {pattern}"
    # as root mosquitto would switch to user "mosquitto", who cannot read tmp_path
    text = shipped + f"persistence_location {b.workdir}/\nuser {getpass.getuser()}\n"

    def write_conf() -> None:
        b.conf_path.write_text(text)

    b.write_conf = write_conf  # type: ignore[method-assign]
    b.start()
    assert connects(b.port, pki, "t2")
    assert not connects(b.port, pki, "t1")
