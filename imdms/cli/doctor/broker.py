"""Doctor check of the central broker: TCP, TLS (trust and certificate expiry), MQTT login.

The login is one MQTT 3.1.1 CONNECT with the booth's credentials and a client id ending in
"-doctor" (so the running forwarder is not kicked off), then DISCONNECT. Nothing is published.
"""

from __future__ import annotations

import socket
import ssl
import struct
import time
from datetime import UTC, datetime
from pathlib import Path

from config.secrets import credential, secret_path
from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext, skip_without_config

EXPIRY_WARN_DAYS = 30
CONNACK_REASONS = {
    1: "unacceptable protocol version",
    2: "client id rejected",
    3: "broker unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


def _credential_file(ctx: DoctorContext, name: str) -> Path:
    return secret_path(name, ctx.credentials_dir)


def _read_secret(ctx: DoctorContext, name: str) -> str | None:
    return credential(name, ctx.credentials_dir)


def _mqtt_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("!H", len(data)) + data


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def connect_packet(client_id: str, username: str | None, password: str | None,
                   keepalive_s: int = 30) -> bytes:
    """An MQTT 3.1.1 CONNECT (clean session) with optional user name and password."""
    flags = 0x02
    payload = _mqtt_string(client_id)
    if username:
        flags |= 0x80
        payload += _mqtt_string(username)
        if password:
            flags |= 0x40
            payload += _mqtt_string(password)
    variable = _mqtt_string("MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive_s)
    body = variable + payload
    return b"\x10" + _remaining_length(len(body)) + body


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        data += chunk
    return data


def mqtt_login(sock: socket.socket, client_id: str, username: str | None,
               password: str | None) -> int:
    """Send CONNECT, return the CONNACK return code (0 = accepted), then DISCONNECT."""
    sock.sendall(connect_packet(client_id, username, password))
    header = _recv_exact(sock, 2)
    if header[0] != 0x20 or header[1] != 2:
        raise ConnectionError("the broker did not answer with an MQTT CONNACK")
    code = _recv_exact(sock, 2)[1]
    if code == 0:
        sock.sendall(b"\xe0\x00")
    return code


def days_left(not_after: str, now: datetime) -> float:
    """Days until an OpenSSL-style notAfter ("Jun  1 12:00:00 2030 GMT")."""
    return (ssl.cert_time_to_seconds(not_after) - now.timestamp()) / 86400


def _client_cert_days(path: Path, now: datetime) -> float | None:
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None
    return (cert.not_valid_after_utc - now.astimezone(UTC)).total_seconds() / 86400


def check_broker(ctx: DoctorContext) -> CheckResult:
    """Reach [broker] host:port, check TLS and certificate expiry, and log in over MQTT."""
    if (skipped := skip_without_config(ctx, "broker")) is not None:
        return skipped
    assert ctx.config is not None
    cfg = ctx.config.broker
    if not cfg.host:
        return CheckResult("broker", Status.WARN,
                           "no broker configured: crossings stay on the booth",
                           "set [broker] host (and [broker.tls]) in terminal.toml")
    where = f"{cfg.host}:{cfg.port}"
    started = time.monotonic()
    try:
        raw = socket.create_connection((cfg.host, cfg.port), timeout=ctx.timeout_s)
    except OSError as err:
        return CheckResult("broker", Status.FAIL, f"cannot reach {where} ({err.strerror or err})",
                           "check the network cable/modem, DNS, the firewall and [broker] "
                           "host and port")
    notes: list[str] = []
    hints: list[str] = []
    worst = Status.PASS
    sock: socket.socket = raw
    try:
        if cfg.tls is None:
            worst = Status.WARN
            notes.append("plain TCP, no TLS")
            hints.append("set [broker.tls] for production")
        else:
            ca_file = str(cfg.tls.ca_file) if cfg.tls.ca_file else None
            tls = ssl.create_default_context(cafile=ca_file)
            if cfg.tls.cert_file is not None:
                key = _credential_file(ctx, cfg.tls.key_credential)
                try:
                    tls.load_cert_chain(str(cfg.tls.cert_file), str(key))
                except (OSError, ssl.SSLError) as err:
                    return CheckResult("broker", Status.FAIL, "cannot load the client certificate "
                                       f"or key ({err.__class__.__name__})",
                                       f"check {cfg.tls.cert_file} and {key} (see secrets)")
            try:
                sock = tls.wrap_socket(raw, server_hostname=cfg.host)
            except ssl.SSLCertVerificationError as err:
                return CheckResult("broker", Status.FAIL,
                                   f"{where}: server certificate not trusted "
                                   f"({err.verify_message})",
                                   "check [broker.tls] ca_file is central IT's CA; check the clock")
            except (OSError, ssl.SSLError) as err:
                return CheckResult("broker", Status.FAIL, f"{where}: TLS failed "
                                   f"({err.__class__.__name__}: {err})",
                                   "is the port the broker's TLS port (8883)?")
            now = ctx.now()
            peer = sock.getpeercert()
            server_days = days_left(str(peer["notAfter"]), now) if peer else None
            checks = [("server", server_days)]
            if cfg.tls.cert_file is not None:
                checks.append(("client", _client_cert_days(cfg.tls.cert_file, now)))
            for who, days in checks:
                if days is None:
                    continue
                if days < 0:
                    worst = Status.FAIL
                    notes.append(f"{who} certificate EXPIRED {-days:.0f} days ago")
                elif days < EXPIRY_WARN_DAYS:
                    worst = max(worst, Status.WARN, key=_rank)
                    notes.append(f"{who} certificate expires in {days:.0f} days")
                else:
                    notes.append(f"{who} certificate valid {days:.0f} more days")
                    continue
                hints.append(f"ask central IT to renew the {who} certificate")
        password = _read_secret(ctx, cfg.password_credential)
        client_id = (cfg.client_id or
                     f"imdms-{ctx.config.terminal.border_post}-{ctx.config.terminal.terminal_id}")
        try:
            code = mqtt_login(sock, client_id + "-doctor", cfg.username, password)
        except (OSError, ConnectionError) as err:
            return CheckResult("broker", Status.FAIL, f"{where}: MQTT login failed "
                               f"({err.__class__.__name__}: {err})",
                               "the broker may reject this booth's client certificate: "
                               "ask central IT")
        if code:
            return CheckResult("broker", Status.FAIL, f"{where}: broker refused the login "
                               f"({CONNACK_REASONS.get(code, code)})",
                               "check [broker] username and the password file (see secrets)")
    finally:
        sock.close()
    elapsed_ms = (time.monotonic() - started) * 1000
    message = "; ".join([f"{where} login OK in {elapsed_ms:.0f} ms", *notes])
    return CheckResult("broker", worst, message, "; ".join(hints))


def _rank(status: Status) -> int:
    return {Status.SKIP: 0, Status.PASS: 1, Status.WARN: 2, Status.FAIL: 3}[status]
