"""The centre's terminal registry and the CRL the broker checks.

A terminal is registered with its client certificate (`imdms terminal register ID CERT`: the
serial is recorded); `imdms terminal revoke ID` marks it revoked and writes a new CRL, signed
by the terminals' CA (its key is a credential), listing every revoked serial. The broker refuses
a revoked terminal's TLS handshake once it has read the new CRL (mosquitto: restart it, see
docs/security.md). Registry file (JSON, 0600):

    {"terminals": {"MSU-BRIDGE.t1": {"serial": "<hex>", "registered_at": "...",
                                     "revoked_at": "...", "reason": "stolen"}}}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from imdms.errors import ConfigError
from records.clock import utc_now_iso

CA_HINT = "set [directory] ca_cert and pass the CA key as the credential [directory] " \
    "ca_key_credential (docs/security.md)"


@dataclass(frozen=True, slots=True)
class Ca:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def load_ca(cert_pem: bytes, key_pem: bytes) -> Ca:
    """Raises ConfigError when either cannot be read or the key is not the CA's."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
    except ValueError as err:
        raise ConfigError("the terminals' CA certificate or key cannot be read", CA_HINT) from err
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
                      | ed25519.Ed25519PrivateKey):
        raise ConfigError("the terminals' CA key is of an unsupported type", CA_HINT)
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, pub) != \
            cert.public_key().public_bytes(serialization.Encoding.DER, pub):
        raise ConfigError("the CA key does not belong to [directory] ca_cert", CA_HINT)
    return Ca(cert, key)


class TerminalRegistry:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            raise ConfigError(f"terminal registry {self.path} cannot be read "
                              f"({err.__class__.__name__})", "restore it from backup") from err
        return dict(data.get("terminals", {}))

    def _save(self, terminals: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_atomic(self.path, json.dumps({"terminals": terminals}, indent=1,
                                            sort_keys=True).encode("utf-8"), 0o600)

    def register(self, terminal_id: str, cert_pem: bytes, ca: Ca | None = None) -> int:
        """Record the terminal's certificate serial; checks it was issued by `ca` when given."""
        try:
            cert = x509.load_pem_x509_certificate(cert_pem)
        except ValueError as err:
            raise ConfigError("the terminal certificate is not a PEM certificate",
                              "give the terminal's client certificate (cert.pem)") from err
        if ca is not None and not _issued_by(cert, ca.cert):
            raise ConfigError("the terminal certificate was not issued by the terminals' CA",
                              "register the certificate the CA issued for this terminal")
        terminals = self.load()
        entry = terminals.get(terminal_id, {})
        entry.update(serial=format(cert.serial_number, "x"), registered_at=utc_now_iso())
        entry.pop("revoked_at", None)
        entry.pop("reason", None)
        terminals[terminal_id] = entry
        self._save(terminals)
        return cert.serial_number

    def revoke(self, terminal_id: str, reason: str = "", *, now: str | None = None) -> bool:
        """Mark a registered terminal revoked; False when already revoked. Raises ConfigError
        for an unknown terminal."""
        terminals = self.load()
        entry = terminals.get(terminal_id)
        if entry is None:
            raise ConfigError(f"terminal {terminal_id} is not registered",
                              "register its certificate first (`imdms terminal register ID "
                              "CERT`), or check the id with `imdms terminal list`")
        if entry.get("revoked_at"):
            return False
        entry["revoked_at"] = now or utc_now_iso()
        entry["reason"] = reason
        self._save(terminals)
        return True

    def revoked_serials(self) -> dict[int, str]:
        return {int(e["serial"], 16): e["revoked_at"] for e in self.load().values()
                if e.get("revoked_at")}


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Checked by signature, not by name: another CA may use the same name."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def build_crl(ca: Ca, revoked: dict[int, str], *, days: int,
              now: dt.datetime | None = None) -> bytes:
    """A PEM CRL listing `revoked` (serial -> revoked_at ISO), valid for `days`."""
    now = now or dt.datetime.now(dt.UTC)
    b = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
         .last_update(now - dt.timedelta(minutes=5)).next_update(now + dt.timedelta(days=days)))
    for serial, at in sorted(revoked.items()):
        when = dt.datetime.fromisoformat(at) if at else now
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                      .revocation_date(when).build())
    algorithm = None if isinstance(ca.key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    crl = b.sign(ca.key, algorithm)
    return crl.public_bytes(serialization.Encoding.PEM)


def write_crl(path: Path, pem: bytes) -> None:
    """Atomic, mode 0644: the CRL is public, and the broker (another user) reads it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(Path(path), pem, 0o644)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
