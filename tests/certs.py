"""The one throwaway PKI of the tests (cryptography): a CA, a server certificate for loopback
(localhost and 127.0.0.1) and client certificates, optionally one from another CA ("rogue").

Used by the MQTT TLS tests (tests/messaging), the RabbitMQ node and its terminals, whose client
CN is the RabbitMQ user <post>.<terminal> (tests/central), and the doctor's broker check
(tests/deploy/tls.py, which needs a server certificate about to expire).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CLIENT = {"client_": "terminal t1"}  # file prefix -> common name


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
          issuer_key: ec.EllipticCurvePrivateKey, *, days: float, ca: bool = False,
          server: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(minutes=5))
         .not_valid_after(now + dt.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    elif server:
        b = b.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                            critical=False)
    else:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                            critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def make_pki(folder: Path, clients: Mapping[str, str] = CLIENT, *, server_cn: str = "broker",
             rogue: bool = False, days: float = 2, server_days: float | None = None,
             ) -> dict[str, Path]:
    """PEM files in `folder`, by key: `ca`; `cert`/`key` (the server, valid `server_days`,
    default `days`); `<prefix>cert`/`<prefix>key` per client (`clients`: prefix -> CN);
    with `rogue`, `rogue_cert`/`rogue_key`: a client CN "terminal t1" signed by another CA."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _key()
    ca = _cert("imdms test CA", ca_key, _name("imdms test CA"), ca_key, days=days, ca=True)
    out = {"ca": folder / "ca.pem"}
    out["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    issued = [("", server_cn, True, server_days if server_days is not None else days),
              *((prefix, cn, False, days) for prefix, cn in clients.items())]
    for prefix, cn, server, valid in issued:
        key = _key()
        cert = _cert(cn, key, ca.subject, ca_key, days=valid, server=server)
        out[f"{prefix}cert"] = folder / f"{prefix}cert.pem"
        out[f"{prefix}key"] = folder / f"{prefix}key.pem"
        out[f"{prefix}cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(out[f"{prefix}key"], key)
    if rogue:
        rogue_key, key = _key(), _key()
        cert = _cert("terminal t1", key, _name("rogue CA"), rogue_key, days=days)
        out["rogue_cert"], out["rogue_key"] = folder / "rogue_cert.pem", folder / "rogue_key.pem"
        out["rogue_cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(out["rogue_key"], key)
    return out
