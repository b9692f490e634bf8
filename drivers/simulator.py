"""A reader for demos and tests that serves the specimen documents of `ocr.specimens`.

Documents come on request (`trigger()`, bound to a key in the terminal) or every `interval_s`.
With `pty_framing` set, each document is encoded in that framing and written to a real
pseudo-terminal that a SerialMrzReader reads, so the demo exercises the real serial path
(termios, framing decoder, parser) exactly as a booth's reader would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import threading
import tty
from collections.abc import Sequence

from config.models import SerialMrzConfig, SimulatorConfig
from drivers.base import DocumentRead, DocumentReader, ReaderState, ReaderStatus, ReadQueue
from drivers.framing import Frame, encode, line_problem
from drivers.serial_mrz import SerialMrzReader, document_read

_STOP = object()


class SimulatorReader(DocumentReader):
    """Serves specimens in process, or through a pty in any framing (`pty_framing`).

    `baud` (pty mode only) paces the bytes as a serial line at that rate would (0: at once).
    `read(timeout)` follows the DocumentReader contract.
    """

    source = "simulator"

    def __init__(self, config: SimulatorConfig | None = None, name: str = "simulator", *,
                 baud: int = 0) -> None:
        super().__init__(name)
        from ocr.specimens import specimens

        self.config = config or SimulatorConfig.model_validate({})
        self.baud = baud
        self._specimens = specimens()
        self._order = list(self._specimens)
        self._next = 0
        self._reads = ReadQueue()
        self._jobs: queue.Queue[object] = queue.Queue()
        self._master: int | None = None
        self._slave: int | None = None
        self._serial: SerialMrzReader | None = None
        self.pty_path: str | None = None
        if self.config.pty_framing != "none":
            self._master, self._slave = os.openpty()
            tty.setraw(self._slave)  # no echo, no CR->LF: bytes pass as a UART delivers them
            self.pty_path = os.ttyname(self._slave)
            serial_config = SerialMrzConfig.model_validate(
                {"type": "serial_mrz", "port": self.pty_path, "framing": self.config.pty_framing}
            )
            try:
                self._serial = SerialMrzReader(serial_config, name=name)
            except BaseException:
                self._release_pty()
                self._closed.set()
                raise
        else:
            self._set_state(ReaderStatus.CONNECTED, "simulator: press the read key")
        self._thread = threading.Thread(target=self._run, name=f"imdms-sim-{name}", daemon=True)
        self._thread.start()

    @property
    def specimen_names(self) -> list[str]:
        return list(self._order)

    @property
    def state(self) -> ReaderState:
        return self._serial.state if self._serial is not None else self._state

    def trigger(self, name: str | None = None) -> None:
        """Present a specimen: `name`, or the next one in turn. ValueError for an unknown name."""
        if name is None:
            name = self._order[self._next % len(self._order)]
            self._next += 1
        if name not in self._specimens:
            raise ValueError(f"unknown specimen {name!r}; use one of: {', '.join(self._order)}")
        self._jobs.put(tuple(self._specimens[name]))

    def present(self, lines: Sequence[str]) -> None:
        """Present arbitrary MRZ lines (tests, demos of unreadable documents)."""
        self._jobs.put(tuple(lines))

    def present_bytes(self, data: bytes) -> None:
        """pty mode: write raw bytes as the device would (garbage, cut frames). In process:
        ValueError."""
        if self._master is None:
            raise ValueError("present_bytes needs pty_framing set")
        self._jobs.put(bytes(data))

    def _run(self) -> None:
        interval = self.config.interval_s
        while not self.closed:
            try:
                job = self._jobs.get(timeout=interval)
            except queue.Empty:  # the timer: serve the next specimen
                name = self._order[self._next % len(self._order)]
                self._next += 1
                job = tuple(self._specimens[name])
            if job is _STOP or self.closed:
                return
            if isinstance(job, bytes):
                self._write(job)
            elif isinstance(job, tuple):
                self._serve(job)

    def _serve(self, lines: tuple[str, ...]) -> None:
        if self._serial is not None:
            self._write(encode(lines, self.config.pty_framing))
            return
        frame = Frame(lines, line_problem(lines))
        self._reads.put(document_read(self.source, self.name, frame, framing="none"))

    def _write(self, data: bytes) -> None:
        """Write to the pty master, paced at `baud` (10 bit times per byte) when set."""
        master = self._master
        if master is None:
            return
        chunk = max(1, self.baud // 1000) if self.baud else len(data)  # ~10 ms of line time
        for start in range(0, len(data), chunk):
            if self.closed:
                return
            try:
                os.write(master, data[start:start + chunk])
            except OSError:
                return
            if self.baud and self._closed.wait(chunk * 10 / self.baud):
                return

    def read(self, timeout: float | None = None) -> DocumentRead | None:
        if self.closed:
            return None
        if self._serial is not None:
            got = self._serial.read(timeout)
            if got is None:
                return None
            extra = {**got.extra, "via": "pty", "pty_framing": self.config.pty_framing}
            return dataclasses.replace(got, source=self.source, reader_name=self.name,
                                       extra=extra)
        return self._reads.take(timeout)

    def _release_pty(self) -> None:
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def _close(self) -> None:
        self._jobs.put(_STOP)
        self._reads.wake()
        if self._serial is not None:
            self._serial.close()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._release_pty()
        self._set_state(ReaderStatus.DISCONNECTED, "closed")
