"""What the forwarder knows about its host: clock sync, the link diagnosis, and the two small
files it shares with the booth: forwarder-status.json (the forwarder writes, the booth's status
bar reads: messaging/reports.py) and reader-state.json (the booth writes with
write_reader_state, the heartbeat reads).

No threads of its own: every function runs in its caller's thread. Files are written by temp
file + rename, so a reader never sees half a file."""

from __future__ import annotations

import ctypes
import json
import os
import socket
import ssl
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from records.clock import ts_to_iso

STATUS_FILE = "forwarder-status.json"
READER_STATE_FILE = "reader-state.json"
_TIME_ERROR = 5  # adjtimex(2): clock not synchronised


def utc_iso(ts: float | None = None) -> str:
    return ts_to_iso(time.time() if ts is None else ts)


def clock_synced() -> bool | None:
    """Kernel NTP state via adjtimex(2) (what timedatectl reports); None when unknown."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        buf = ctypes.create_string_buffer(512)  # struct timex, modes=0: read only
        state = int(libc.adjtimex(buf))
    except (OSError, AttributeError):
        return None
    if state < 0:
        return None
    return state != _TIME_ERROR


def write_json_atomic(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    """Write via a temp file + rename so readers never see half a file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, sort_keys=True)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reader_state(data_dir: Path, states: Mapping[str, str]) -> None:
    """The booth's side of the heartbeat's `readers` field: write reader name -> state (e.g.
    {"mrz": "READY", "chip": "FAILED"}) to <data_dir>/reader-state.json, atomically, mode 0600.

    Call it when a reader's state changes (not per read); the forwarder reads the file at each
    heartbeat (reader_states). Names and states only: never document data. Raises OSError."""
    clean = {str(name): str(state) for name, state in states.items()}
    write_json_atomic(Path(data_dir) / READER_STATE_FILE, clean, mode=0o600)


def reader_states(data_dir: Path) -> dict[str, Any] | None:
    """Reader states the booth writes to <data_dir>/reader-state.json (write_reader_state);
    None when the file is missing or unreadable."""
    try:
        data = json.loads((data_dir / READER_STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def diagnose(
    host: str, port: int, *, ca_file: Path | None = None, cert_file: Path | None = None,
    key_file: Path | None = None, timeout_s: float = 5.0,
) -> str:
    """One line saying why a broker link fails: TCP, TLS server check, or client certificate.

    Under TLS 1.3 the broker rejects a client certificate only after the handshake "succeeds",
    so this reads once after the handshake to catch the alert. Never raises."""
    try:
        raw = socket.create_connection((host, port), timeout=timeout_s)
    except OSError as err:
        return f"cannot reach the broker at {host}:{port} ({err.strerror or err})"
    with raw:
        if ca_file is None:
            return f"TCP to {host}:{port} works; the broker closed or refused the MQTT session"
        try:
            ctx = ssl.create_default_context(cafile=str(ca_file))
            if cert_file is not None:
                ctx.load_cert_chain(str(cert_file), str(key_file) if key_file else None)
        except (OSError, ssl.SSLError) as err:
            return f"cannot load TLS files ({err.__class__.__name__}: {err})"
        try:
            with ctx.wrap_socket(raw, server_hostname=host) as tls:
                tls.settimeout(1.0)
                try:
                    tls.recv(1)
                except TimeoutError:
                    return "TLS works; the broker refused the MQTT session (check ACL/credentials)"
                return "TLS works; the broker closed the connection (check client certificate)"
        except ssl.SSLCertVerificationError as err:
            return f"the broker's certificate is not trusted ({err.verify_message}): check ca_file"
        except ssl.SSLError as err:
            reason = err.reason or str(err)
            if "CERTIFICATE" in reason.upper() or "UNKNOWN_CA" in reason.upper():
                return (f"the broker rejected this terminal's client certificate ({reason}): "
                        "install a certificate signed by the central CA")
            return f"TLS handshake failed ({reason})"
        except OSError as err:
            return f"the broker closed the connection during TLS ({err.__class__.__name__})"
