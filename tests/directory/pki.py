"""A terminals' CA whose key the centre holds (for CRLs), a broker certificate, and two
terminal client certificates (MSU-BRIDGE.t1, MSU-BRIDGE.t2)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from cryptography.hazmat.primitives import serialization
from paho.mqtt.enums import CallbackAPIVersion

from tests.certs import _cert, _key, _name, _write_key


def make_terminal_pki(folder: Path) -> dict[str, Path]:
    """ca, ca_key, cert/key (broker), t1_cert/t1_key, t2_cert/t2_key."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    ca_key = _key()
    ca = _cert("imdms terminals CA", ca_key, _name("imdms terminals CA"), ca_key, days=2, ca=True)
    out["ca"], out["ca_key"] = folder / "ca.pem", folder / "ca.key"
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    _write_key(out["ca_key"], ca_key)
    for prefix, cn, server in (("", "broker", True), ("t1_", "MSU-BRIDGE.t1", False),
                               ("t2_", "MSU-BRIDGE.t2", False)):
        key = _key()
        cert = _cert(cn, key, ca.subject, ca_key, days=2, server=server)
        out[f"{prefix}cert"], out[f"{prefix}key"] = folder / f"{prefix}cert.pem", \
            folder / f"{prefix}key.pem"
        out[f"{prefix}cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(out[f"{prefix}key"], key)
    return out


def connects(port: int, pki: dict[str, Path], who: str, timeout: float = 3.0) -> bool:
    """True when the broker answers this terminal's CONNECT with success (a TLS 1.3 socket
    that opened is not enough: the client certificate is checked after the handshake)."""
    accepted = threading.Event()
    done = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{who}")
    client.tls_set(ca_certs=str(pki["ca"]), certfile=str(pki[f"{who}_cert"]),
                   keyfile=str(pki[f"{who}_key"]))

    def on_connect(_c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if not rc.is_failure:
            accepted.set()
        done.set()

    client.on_connect = on_connect
    client.on_disconnect = lambda *_: done.set()
    try:
        client.connect("127.0.0.1", port)
    except OSError:
        return False
    client.loop_start()
    try:
        done.wait(timeout)
        return accepted.is_set()
    finally:
        client.disconnect()
        client.loop_stop()
