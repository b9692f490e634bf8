"""A terminals' CA whose key the centre holds (for CRLs), a broker certificate, and two
terminal client certificates (MSU-BRIDGE.t1, MSU-BRIDGE.t2)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.messaging.certs import _cert, _key, _name, _write_key


def make_terminal_pki(folder: Path) -> dict[str, Path]:
    """ca, ca_key, cert/key (broker), t1_cert/t1_key, t2_cert/t2_key."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    ca_key = _key()
    ca = _cert("imdms terminals CA", ca_key, _name("imdms terminals CA"), ca_key, ca=True)
    out["ca"], out["ca_key"] = folder / "ca.pem", folder / "ca.key"
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    _write_key(out["ca_key"], ca_key)
    for prefix, cn, server in (("", "broker", True), ("t1_", "MSU-BRIDGE.t1", False),
                               ("t2_", "MSU-BRIDGE.t2", False)):
        key = _key()
        cert = _cert(cn, key, ca.subject, ca_key, server=server)
        out[f"{prefix}cert"], out[f"{prefix}key"] = folder / f"{prefix}cert.pem", \
            folder / f"{prefix}key.pem"
        out[f"{prefix}cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(out[f"{prefix}key"], key)
    return out
