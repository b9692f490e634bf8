"""Where the booth's log lines go while the UI owns the screen."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminal import app


@pytest.fixture
def restore_root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    saved = list(root.handlers)
    yield None
    for h in list(root.handlers):
        if h not in saved:
            root.removeHandler(h)
            h.close()
    for h in saved:
        if h not in root.handlers:
            root.addHandler(h)


def test_under_systemd_logs_go_to_journald(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_root_handlers: object
) -> None:
    import socket

    sock_path = tmp_path / "log.sock"
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind(str(sock_path))
    monkeypatch.setattr(app, "SYSLOG_SOCKET", str(sock_path))

    class Tty:
        def isatty(self) -> bool:
            return True

        def write(self, _s: str) -> int:
            return 0

        def flush(self) -> None:
            pass

    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.setenv("INVOCATION_ID", "test")
    app._log_to_file(tmp_path)
    assert any(isinstance(h, logging.handlers.SysLogHandler) for h in logging.getLogger().handlers)
    assert not (tmp_path / "terminal.log").exists()
    logging.getLogger("imdms.test").warning("reader disconnected")
    assert b"imdms-terminal: WARNING imdms.test: reader disconnected" in journal.recv(4096)
    journal.close()


def test_interactive_logs_go_to_a_private_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_root_handlers: object
) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

        def write(self, _s: str) -> int:
            return 0

        def flush(self) -> None:
            pass

    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    app._log_to_file(tmp_path)
    log = tmp_path / "terminal.log"
    assert log.exists() and log.stat().st_mode & 0o777 == 0o600
