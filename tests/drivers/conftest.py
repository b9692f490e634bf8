"""Driver test fixtures: leaked readers fail the test; pseudo-terminals that can be unplugged."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import DocumentReader
from tests.drivers.ptys import Pty, SocatPty


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


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[Pty]:
    p = Pty(tmp_path)
    yield p
    if p.master is not None:
        p.unplug()


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
