"""The forwarder's side of the booth's history question: a Unix socket in the data dir.

The booth (terminal/history.py) has no MQTT client of its own: the terminal keeps one MQTT
identity (its certificate, its ACL, its CRL entry), held by the forwarder. The booth connects to
<data_dir>/history.sock (0600), writes one request line (messaging/history_wire: an id and
ciphertext), and reads one answer line or EOF. EOF at once means "the link is down"; the
booth gives up after its own 1 s either way.

Threads: the relay's thread accepts and reads; the pump thread publishes what is queued
(`publish_due`, woken through `wake_fd` in messaging/link.Link.step) and hands answers back
(`deliver`, from on_message). Nothing here can read a document: it relays ciphertext by id.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from messaging.history_wire import MAX_BYTES, question_id

log = logging.getLogger(__name__)
SOCKET_FILE = "history.sock"
FORGET_S = 3.0  # a question unanswered this long is dropped (the booth gave up at 1 s)


class HistoryRelay:
    def __init__(self, data_dir: Path, online: Callable[[], bool]) -> None:
        self.path = Path(data_dir) / SOCKET_FILE
        self._online = online
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[float, socket.socket]] = {}
        self._due: list[bytes] = []
        self._wake: tuple[socket.socket, socket.socket] | None = None  # made by start()
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def wake_fd(self) -> int | None:
        return None if self._wake is None else self._wake[0].fileno()

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of an earlier run
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # created 0600: only the imdms user may ask
        try:
            server.bind(str(self.path))
        except OSError as err:  # e.g. a path past AF_UNIX's 108 bytes: forwarding goes on
            log.warning("history relay not started (%s): the booth shows its own history",
                        err.strerror or err.__class__.__name__)
            server.close()
            return
        finally:
            os.umask(old)
        self._wake = socket.socketpair()
        self._wake[0].setblocking(False)
        server.listen(16)
        server.settimeout(0.5)
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="history-relay", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        with self._lock:
            for _at, conn in self._waiting.values():
                conn.close()
            self._waiting.clear()
        if self._wake is not None:
            for end in self._wake:
                end.close()
            self._wake = None

    # -- relay thread ---------------------------------------------------------------------------

    def _serve(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                self._forget(time.monotonic())
                continue
            except OSError:
                return
            self._take(conn)

    def _take(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        try:
            line = _read_line(conn)
            if not line:  # connected and closed: a probe (imdms doctor), not a question
                conn.close()
                return
            qid = question_id(line)
        except (OSError, ValueError) as err:
            log.warning("history question ignored: %s", err)
            conn.close()
            return
        if not self._online():
            conn.close()  # EOF: "history unavailable" now, not after the booth's timeout
            return
        with self._lock:
            self._waiting[qid] = (time.monotonic(), conn)
            self._due.append(line)
        with contextlib.suppress(BlockingIOError, OSError):
            if self._wake is not None:
                self._wake[1].send(b"\0")
        self._forget(time.monotonic())

    def _forget(self, now: float) -> None:
        with self._lock:
            old = [q for q, (at, _c) in self._waiting.items() if now - at > FORGET_S]
            for qid in old:
                self._waiting.pop(qid)[1].close()

    # -- pump thread ----------------------------------------------------------------------------

    def _drain_wake(self) -> None:
        if self._wake is None:
            return
        with contextlib.suppress(BlockingIOError):
            while self._wake[0].recv(512):
                pass

    def publish_due(self, publish: Callable[[bytes], object]) -> None:
        """Publish the queued questions (pump thread, connected)."""
        self._drain_wake()
        with self._lock:
            due, self._due = self._due, []
        for payload in due:
            publish(payload)

    def deliver(self, payload: bytes) -> None:
        """An answer arrived: hand it to the booth that asked (dropped when nobody waits)."""
        try:
            qid = question_id(payload)
        except ValueError as err:
            log.warning("history answer ignored: %s", err)
            return
        with self._lock:
            waiting = self._waiting.pop(qid, None)
        if waiting is None:
            return  # late: the booth gave up
        conn = waiting[1]
        try:
            conn.sendall(payload + b"\n")
        except OSError:
            pass  # the booth went away
        finally:
            conn.close()

    def link_lost(self) -> None:
        """The link dropped: nobody will answer the waiting questions."""
        self._drain_wake()
        with self._lock:
            waiting, self._waiting, self._due = self._waiting, {}, []
        for _at, conn in waiting.values():
            conn.close()


def _read_line(conn: socket.socket) -> bytes:
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
        if len(buf) > MAX_BYTES:
            raise ValueError("history question: too large")
    return buf.strip()
