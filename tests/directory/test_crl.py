"""`imdms terminal revoke ID`: the registry records it, the CRL is regenerated from the
terminals' CA, and a real mosquitto (require_certificate + crlfile) refuses that terminal while
the others still connect."""

from __future__ import annotations

import os
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
