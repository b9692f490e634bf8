"""Driver test fixtures: leaked readers fail the test; pseudo-terminals that can be unplugged."""

from __future__ import annotations

import os
import subprocess
import threading
import time
import tty
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.base import DocumentReader
from tests.peers import require_executable


@pytest.fixture(autouse=True)
def no_leaked_readers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a reader open (python-can style); close it so others still run."""
    created: list[weakref.ref[DocumentReader]] = []
    original = DocumentReader.__init__

    def tracking_init(self: DocumentReader, name: str = "reader") -> None:
        original(self, name)
        created.append(weakref.ref(self))

    monkeypatch.setattr(DocumentReader, "__init__", tracking_init)
    yield
    leaked = [r for ref in created if (r := ref()) is not None and not r.closed]
    for reader in leaked:
        reader.close()
    if leaked:
        pytest.fail(f"{len(leaked)} reader(s) left open: {[type(r).__name__ for r in leaked]}")
    alive = [t.name for t in threading.enumerate() if t.name.startswith("imdms-") and t.is_alive()]
    if alive:
        pytest.fail(f"reader threads still running after close: {alive}")


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll a condition that has no event to wait on (reader state) every 5 ms."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


class Pty:
    """A pseudo-terminal standing in for a USB reader at a stable path (a symlink to the pts),
    which can be unplugged (both ends closed, link removed) and plugged back in."""

    def __init__(self, directory: Path) -> None:
        self.link = directory / "ttyMRZ"
        self.master: int | None = None
        self.slave: int | None = None
        self.plug()

    @property
    def path(self) -> str:
        return str(self.link)

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        tmp = self.link.with_suffix(".new")
        os.symlink(os.ttyname(self.slave), tmp)
        os.replace(tmp, self.link)

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        self.link.unlink(missing_ok=True)

    def write(self, data: bytes, baud: int = 0) -> None:
        """Write as the device would; `baud` paces ~10 ms chunks at that line rate."""
        assert self.master is not None, "unplugged"
        chunk = max(1, baud // 1000) if baud else len(data)
        for start in range(0, len(data), chunk):
            os.write(self.master, data[start : start + chunk])
            if baud:
                time.sleep(chunk * 10 / baud)


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[Pty]:
    p = Pty(tmp_path)
    yield p
    if p.master is not None:
        p.unplug()


class SocatPty:
    """socat serving a pty at a fixed link path; stdin feeds it. Stopping socat removes the
    link, starting it again brings the same path back (a USB replug)."""

    def __init__(self, link: Path) -> None:
        self.exe = require_executable("socat")
        self.link = link
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "STDIO", f"pty,raw,echo=0,link={self.link}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.link.exists, 5), "socat did not create its pty"

    def write(self, data: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        proc.wait(5)
        assert wait_for(lambda: not self.link.exists(), 5)


@pytest.fixture
def socat_pty(tmp_path: Path) -> Iterator[SocatPty]:
    s = SocatPty(tmp_path / "ttyMRZ")
    yield s
    s.stop()


@pytest.fixture
def present_once_open(pty: Pty, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """For commands that open their own reader: once `open_reader` returns (the port is open, so
    pyserial's input flush is behind us), write the frames appended to the yielded list."""
    import drivers.registry as registry

    frames: list[bytes] = []
    opened = threading.Event()
    real = registry.open_reader

    def open_and_signal(config: object, name: str = "reader") -> DocumentReader:
        reader = real(config, name)
        opened.set()
        return reader

    def write() -> None:
        if opened.wait(10):
            for frame in frames:
                pty.write(frame)

    monkeypatch.setattr(registry, "open_reader", open_and_signal)
    thread = threading.Thread(target=write)
    thread.start()
    yield frames
    opened.set()
    thread.join()
