"""Serial MRZ readers (RS-232 or USB CDC) through pyserial, framed as in `drivers.framing`.

One worker thread owns the port: it blocks in the port's read (no polling while idle), feeds the
bytes to the framing decoder and queues one DocumentRead per frame; `read(timeout)` takes from
that queue. When the device disappears (USB reader pulled) the state becomes DISCONNECTED and the
thread reopens the same path with exponential backoff capped at `reconnect_max_s`, sleeping on
an event that `close()` sets, so neither a missing device nor close costs CPU or latency.
"""

from __future__ import annotations

import errno
import logging
import queue
import threading
import time
from datetime import timedelta
from types import ModuleType
from typing import Any

from config.models import SerialMrzConfig
from drivers.base import DocumentRead, DocumentReader, ReaderStatus, ReadQueue, utc_now
from drivers.framing import Frame, make_decoder
from imdms.errors import MrzError, ReaderInitError, ReaderUnavailable

log = logging.getLogger(__name__)

MAX_QUEUED = 16  # reads nobody collected; older ones are dropped first
FIRST_BACKOFF_S = 0.1
NO_CANCEL_SLICE_S = 0.5  # ports without cancel_read() (some URL handlers) wake this often
ABSENT = {errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.EBUSY}
DENIED = {errno.EACCES, errno.EPERM}


def import_serial() -> ModuleType:
    """pyserial, or ReaderUnavailable saying how to install it."""
    try:
        import serial
    except ImportError as err:
        raise ReaderUnavailable(
            "pyserial is not installed",
            "reinstall imdms-terminal (pyserial is a core dependency): pip install imdms-terminal",
        ) from err
    module: ModuleType = serial
    return module


def document_read(
    source: str, name: str, frame: Frame, *, framing: str | None = None, now: float | None = None
) -> DocumentRead:
    """One DocumentRead from one frame: the frame's error, or its lines parsed by the MRZ core.

    `now` is the monotonic time the frame completed (default: now); `frame.started` dates the
    read's `started_at`. Never raises: a parser failure becomes ok=False with the reason.
    """
    from ocr.mrz import parse_mrz

    finished = utc_now()
    mono = time.monotonic() if now is None else now
    age = max(0.0, mono - frame.started) if frame.started else 0.0
    started = finished - timedelta(seconds=age)
    extra: dict[str, Any] = dict(frame.meta)
    if framing:
        extra["framing"] = framing
    common: dict[str, Any] = {
        "source": source,
        "reader_name": name,
        "raw_lines": frame.lines,
        "started_at": started,
        "finished_at": finished,
        "extra": extra,
    }
    if frame.error is not None:
        return DocumentRead(error=frame.error, **common)
    try:
        mrz = parse_mrz(list(frame.lines))
    except MrzError as err:
        return DocumentRead(error=f"not an MRZ: {err.message}", **common)
    except Exception as err:  # the parser must never take the reader down with it
        log.error("MRZ parser failed on a frame (%s)", err.__class__.__name__)
        return DocumentRead(error="the MRZ could not be parsed; present the document again",
                            **common)
    return DocumentRead(mrz=mrz, **common)


class SerialMrzReader(DocumentReader):
    """A passport reader on a serial port (`[reader] type = "serial_mrz"`).

    Construction opens the port once; a missing device is not an error (state DISCONNECTED, the
    reader waits for it), a setting pyserial rejects raises ReaderInitError. `read(timeout)`
    returns one DocumentRead per framed document (ok=False with the reason for garbled frames,
    wrong BCC or unreadable characters), or None on timeout or after close().
    """

    source = "serial_mrz"

    def __init__(
        self,
        config: SerialMrzConfig,
        name: str = "reader",
        *,
        stale_after_s: float = 2.0,
        first_backoff_s: float = FIRST_BACKOFF_S,
    ) -> None:
        super().__init__(name)
        self.config = config
        self._serial = import_serial()
        self._decoder = make_decoder(
            config.framing,
            inter_line_timeout_s=config.inter_line_timeout_s,
            stale_after_s=stale_after_s,
        )
        self._first_backoff_s = first_backoff_s
        self._reads = ReadQueue()
        self._port: Any = None
        self._port_lock = threading.Lock()
        self._failing = False  # a reopen failure was logged; log the recovery once
        self._noise_warned = False  # noise outside frames: warn once per open, then debug
        self._noise_pending = 0  # skipped bytes not yet reported on a read
        self._thread: threading.Thread | None = None
        try:
            self._open(first=True)
        except ReaderInitError:
            self._closed.set()  # nothing to release: the port never opened
            raise
        self._thread = threading.Thread(target=self._run, name=f"imdms-serial-{name}", daemon=True)
        self._thread.start()

    # -- port handling (worker thread, except the first open) --------------------------------

    def _open(self, *, first: bool = False) -> bool:
        cfg = self.config
        try:
            port = self._serial.serial_for_url(
                cfg.port,
                baudrate=cfg.baud,
                bytesize=cfg.bytesize,
                parity=cfg.parity,
                stopbits=cfg.stopbits,
                rtscts=cfg.flow_control == "rtscts",
                xonxoff=cfg.flow_control == "xonxoff",
                dsrdtr=cfg.flow_control == "dsrdtr",
                timeout=None,
                exclusive=True,
            )
        except ValueError as err:  # pyserial rejects a setting or URL: retrying cannot help
            reason = f"the serial settings for {cfg.port} were refused: {err}"
            hint = "fix [reader] port, baud, bytesize, parity, stopbits or flow_control"
            self._set_state(ReaderStatus.ERROR, f"{reason}; {hint}")
            if first:
                raise ReaderInitError(reason, hint) from err
            return False
        except (self._serial.SerialException, OSError) as err:
            self._open_failed(err)
            return False
        with self._port_lock:
            self._port = port
        self._noise_warned = False  # a replugged reader powers up again: warn once more
        if self._failing:
            log.info("reader %s: %s is back", self.name, cfg.port)
            self._failing = False
        self._set_state(ReaderStatus.CONNECTED, f"listening on {cfg.port}")
        return True

    def _open_failed(self, err: BaseException) -> None:
        code = getattr(err, "errno", None)
        text = str(err).lower()
        if code in DENIED or "permission" in text:
            status = ReaderStatus.ERROR
            reason = (f"no permission to open {self.config.port}: add the imdms user to the "
                      "'dialout' group (or fix the udev rule) and replug the reader")
        elif code == errno.ENOTTY or "configure port" in text:
            status = ReaderStatus.ERROR
            reason = (f"{self.config.port} is not a serial device: set [reader] port to the "
                      "reader's tty (imdms read --list-ports)")
        elif "lock" in text:
            status = ReaderStatus.ERROR
            reason = (f"{self.config.port} is in use by another program: stop it "
                      "(another imdms read or terminal?)")
        else:
            status = ReaderStatus.DISCONNECTED
            reason = (f"no reader at {self.config.port}: check the cable and power; "
                      "waiting for it to come back")
        self._set_state(status, reason)
        if not self._failing:
            log.warning("reader %s: cannot open %s (%s); retrying every %.0f s at most",
                        self.name, self.config.port, err.__class__.__name__,
                        self.config.reconnect_max_s)
            self._failing = True

    def _drop_port(self, err: BaseException) -> None:
        with self._port_lock:
            port, self._port = self._port, None
        try:
            port.close()
        except Exception:  # already gone; closing is best effort
            pass
        for frame in self._decoder.reset():
            self._deliver(frame)
        if self.closed:
            return
        self._set_state(ReaderStatus.DISCONNECTED,
                        f"the reader on {self.config.port} went away: waiting for it to come back")
        log.warning("reader %s: %s lost (%s); reopening", self.name, self.config.port,
                    err.__class__.__name__)
        self._failing = True

    def _note_noise(self) -> None:
        skipped = self._decoder.drain_noise()
        if not skipped:
            return
        self._noise_pending += skipped
        level = logging.DEBUG if self._noise_warned else logging.WARNING
        log.log(level, "reader %s: skipped %d byte(s) of noise outside any frame (a reader "
                "powering up sends some); if it keeps coming, check the framing setting",
                self.name, skipped)
        self._noise_warned = True

    def _deliver(self, frame: Frame) -> None:
        read = document_read(self.source, self.name, frame, framing=self.config.framing)
        if self._noise_pending:
            read.extra["noise_bytes_skipped"] = self._noise_pending
            self._noise_pending = 0
        while self._reads.qsize() >= MAX_QUEUED:
            try:
                self._reads.get_nowait()
            except queue.Empty:
                break
        self._reads.put(read)

    def _run(self) -> None:
        backoff = self._first_backoff_s
        try:
            while not self.closed:
                port = self._port
                if port is None:
                    if self._closed.wait(backoff):
                        break
                    if self._open():
                        backoff = self._first_backoff_s
                    else:
                        backoff = min(backoff * 2, self.config.reconnect_max_s)
                    continue
                self._pump(port)
        finally:
            with self._port_lock:
                port, self._port = self._port, None
            if port is not None:
                try:
                    port.close()
                except Exception:  # closing a vanished device may fail; nothing to do
                    pass

    def _pump(self, port: Any) -> None:
        """Wait for bytes (or the decoder's next deadline), decode, deliver."""
        deadline = self._decoder.deadline()
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not hasattr(port, "cancel_read"):
            timeout = NO_CANCEL_SLICE_S if timeout is None else min(timeout, NO_CANCEL_SLICE_S)
        try:
            if port.timeout != timeout:
                port.timeout = timeout
            data = port.read(1)
            if data and not self.closed:
                waiting = port.in_waiting
                if waiting:
                    data += port.read(waiting)
        except (self._serial.SerialException, OSError, TypeError, AttributeError) as err:
            # TypeError/AttributeError: pyserial's fd became None because the port was closed
            if not self.closed:
                self._drop_port(err)
            return
        now = time.monotonic()
        frames = self._decoder.feed(data, now) if data else []
        frames += self._decoder.poll(now)
        self._note_noise()
        for frame in frames:
            self._deliver(frame)

    # -- DocumentReader ------------------------------------------------------------------------

    def read(self, timeout: float | None = None) -> DocumentRead | None:
        """One DocumentRead, or None after `timeout` seconds (None: until a read or close())."""
        if self.closed:
            return None
        return self._reads.take(timeout)

    def _close(self) -> None:
        self._reads.wake()
        with self._port_lock:
            port = self._port
            if port is not None and hasattr(port, "cancel_read"):
                try:
                    port.cancel_read()
                except Exception:  # the port is going away anyway
                    pass
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._set_state(ReaderStatus.DISCONNECTED, "closed")
