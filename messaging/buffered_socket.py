"""A buffering wrapper around paho's socket: one send() per 16 KiB instead of one per packet,
one recv() per 64 KiB instead of three per PUBACK, and TCP options for a window of small acks.

paho 2.x writes every packet with its own send() and reads every packet with recv(1) for the
type, recv(1) per length byte and recv(n) for the rest: ~4 system calls per record. Only
messaging.link uses this; it flushes at each step, so nothing waits longer than one step.

Nothing here changes what is durable: a record leaves the outbox only after its PUBACK, whether
its PUBLISH sat in this buffer or in the kernel's.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

READ_SIZE = 65536
# Written as soon as this much is collected: the broker starts on the first records of a window
# while the rest are built (one write per whole window measured 40 % slower: stop-and-go).
FLUSH_AT = 16384
QUICKACK = getattr(socket, "TCP_QUICKACK", 0)  # Linux only
_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


class BufferedSocket:
    """Wraps a connected non-blocking socket (plain or TLS) for paho (recv, send, close,
    fileno, setblocking, pending). `flush()` writes what send() collected."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        tcp = sock.family in (socket.AF_INET, socket.AF_INET6)
        self._quickack = tcp and QUICKACK != 0
        if tcp:
            # writes are already batched; Nagle would hold a part-filled last segment until
            # the broker's (delayed) ACK, stalling the window
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._in = b""
        self._pos = 0
        self._out = bytearray()
        self._error: OSError | None = None

    # -- what paho calls ------------------------------------------------------------------------

    def recv(self, bufsize: int) -> bytes:
        if self._pos >= len(self._in):
            if self._error is not None:
                raise self._error
            data = self.sock.recv(READ_SIZE)  # BlockingIOError / SSLWantRead: paho handles
            if self._quickack:
                # the broker's PUBACKs are small writes under Nagle: they wait for our ACK, and
                # a delayed ACK stalls the window (measured: twice the drain rate without it)
                self.sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
            if not data:
                return b""  # EOF
            self._in, self._pos = data, 0
        end = self._pos + bufsize
        chunk = self._in[self._pos:end]
        self._pos = min(end, len(self._in))
        return chunk

    def send(self, data: bytes | bytearray) -> int:
        if self._error is not None:
            raise self._error
        self._out += data
        if len(self._out) >= FLUSH_AT:
            self.flush()
        return len(data)

    def pending(self) -> int:
        """Bytes received and not yet handed to paho (select() cannot see them)."""
        inner = self.sock.pending() if isinstance(self.sock, ssl.SSLSocket) else 0
        return len(self._in) - self._pos + inner

    def fileno(self) -> int:
        return int(self.sock.fileno())

    def setblocking(self, flag: bool) -> None:
        self.sock.setblocking(flag)

    def close(self) -> None:
        try:
            self.flush()  # e.g. the DISCONNECT paho just "sent"
        finally:
            self.sock.close()

    # -- what the link calls --------------------------------------------------------------------

    @property
    def wants_write(self) -> bool:
        return bool(self._out)

    @property
    def broken(self) -> bool:
        return self._error is not None

    def flush(self) -> None:
        """Write what is buffered, as far as the kernel takes it now. A socket error is kept
        and raised to paho by its next recv() or send(), so paho reports the lost link."""
        while self._out and self._error is None and self.sock.fileno() >= 0:
            try:
                sent = self.sock.send(self._out)
            except _WOULD_BLOCK:
                return
            except OSError as err:
                self._error = err
                self._out.clear()
                return
            del self._out[:sent]
