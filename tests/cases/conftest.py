"""Peers of the case tests: the two central stores (tests/collector), Mosquitto, a real SMTP
server (aiosmtpd as its own process, writing a maildir) and a local HTTP hook server."""

from __future__ import annotations

import json
import mailbox
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.collector.peers import mosquitto, postgres_server, store
from tests.peers import free_port, require_peer

__all__ = ["hook_server", "mosquitto", "postgres_server", "smtp_server", "store"]


@dataclass
class SmtpServer:
    port: int
    maildir: Path
    pid: int

    def messages(self) -> list[Message]:
        return [m for _key, m in mailbox.Maildir(self.maildir, create=False).items()]

    def wait_for(self, count: int, timeout_s: float = 15.0) -> list[Message]:
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.messages()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)  # polling a folder another process writes: no event to await


def start_smtp(tmp_path: Path, *, tls: dict[str, Path] | None = None) -> tuple[
        subprocess.Popen[bytes], SmtpServer]:
    import importlib.util

    require_peer("aiosmtpd", importlib.util.find_spec("aiosmtpd") is not None)
    port = free_port()
    maildir = tmp_path / f"maildir-{port}"
    mailbox.Maildir(maildir, create=True)
    args = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
            "-c", "aiosmtpd.handlers.Mailbox"]
    if tls:
        args += ["--tlscert", str(tls["cert"]), "--tlskey", str(tls["key"])]
    log = (tmp_path / f"smtp-{port}.log").open("wb")
    proc = subprocess.Popen([*args, str(maildir)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("aiosmtpd did not start: "
                            + (tmp_path / f"smtp-{port}.log").read_text()[-500:])
            time.sleep(0.05)  # polling a port: no event to await
    return proc, SmtpServer(port, maildir, proc.pid)


def stop_proc(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    proc, server = start_smtp(tmp_path)
    try:
        yield server
    finally:
        stop_proc(proc)


@dataclass
class HookServer:
    port: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200  # what the next answers say

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    hook = HookServer(free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            hook.posts.append(json.loads(self.rfile.read(length)))
            hook.headers.append(dict(self.headers))
            self.send_response(hook.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", hook.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
