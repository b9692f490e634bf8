"""A throw-away CA, server certificate and mosquitto TLS listener for the doctor's broker check."""

from __future__ import annotations

import getpass
import ipaddress
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_pki(folder: Path, *, server_days: int = 365) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) with the server valid for 127.0.0.1 for `server_days`."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("imdms test CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=server_days))
            .add_extension(san, critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(_key_pem(key))
    return paths


@dataclass
class TlsBroker:
    proc: subprocess.Popen[bytes]
    port: int
    ca: Path

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def start_tls_broker(exe: str, folder: Path, port: int, *, server_days: int = 365,
                     password_file: Path | None = None) -> TlsBroker:
    ca, cert, key = make_pki(folder, server_days=server_days)
    conf = folder / "mosquitto.conf"
    lines = [
        f"listener {port} 127.0.0.1",
        f"cafile {ca}", f"certfile {cert}", f"keyfile {key}",
        "persistence false",
        f"user {getpass.getuser()}",  # as root mosquitto would switch to a user who cannot read tmp
        f"log_dest file {folder}/mosquitto.log",
    ]
    if password_file is not None:
        lines += ["allow_anonymous false", f"password_file {password_file}"]
    else:
        lines.append("allow_anonymous true")
    conf.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("mosquitto exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return TlsBroker(proc, port, ca)
        except OSError:
            time.sleep(0.02)  # listener not up yet: no event to await
    proc.kill()
    raise RuntimeError("mosquitto did not start listening")
