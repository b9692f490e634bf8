"""A throwaway CA, the node's certificate and terminals' client certificates whose CN is the
RabbitMQ user name (<post>.<terminal>), as deploy/central expects."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.messaging.certs import _cert, _key, _name, _write_key


def make_pki(folder: Path, clients: list[str]) -> dict[str, Path]:
    """ca, cert/key (the node), and <cn>_cert/<cn>_key for each client CN."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _key()
    ca = _cert("imdms central test CA", ca_key, _name("imdms central test CA"), ca_key, ca=True)
    out = {"ca": folder / "ca.pem"}
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for cn, prefix, server in [("localhost", "", True), *((c, f"{c}_", False) for c in clients)]:
        key = _key()
        cert = _cert(cn, key, ca.subject, ca_key, server=server)
        out[f"{prefix}cert"] = folder / f"{prefix}cert.pem"
        out[f"{prefix}key"] = folder / f"{prefix}key.pem"
        out[f"{prefix}cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(out[f"{prefix}key"], key)
    return out
