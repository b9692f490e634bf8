"""A throw-away CA, server certificate and mosquitto TLS listener for the doctor's broker check."""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.certs import make_pki


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
    pki = make_pki(folder, {}, server_cn="127.0.0.1", days=3650, server_days=server_days)
    ca, cert, key = pki["ca"], pki["cert"], pki["key"]
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
