"""A TCP proxy on loopback that the chaos tests put between `imdms forward` and Mosquitto.

It plays the network between a border post and the centre:
- `cut()`: every open connection is reset (RST) at once, as when a link or router dies;
- `down(True)`: new connections are refused (reset on accept) until `down(False)`;
- `blackhole(True)`: bytes stop flowing both ways but sockets stay open (a partition: TCP
  buffers, nobody is told; MQTT keepalive has to notice), and new connections hang unanswered.
One thread accepts; each connection has one pump thread per direction.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import struct
import threading

log = logging.getLogger(__name__)


def _reset(sock: socket.socket) -> None:
    """Close with RST rather than FIN: what the peer sees when the path dies."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    """Listen on 127.0.0.1:<port> (free) and relay to 127.0.0.1:`upstream_port`."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._conns: list[tuple[socket.socket, socket.socket]] = []
        self._held: list[socket.socket] = []  # accepted during a blackhole, never answered
        self._refuse = False
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept_loop, name="proxy-accept",
                                        daemon=True)
        self._thread.start()

    # -- faults ---------------------------------------------------------------------------

    def cut(self) -> int:
        """Reset every open connection; returns how many were cut."""
        with self._lock:
            conns, self._conns = self._conns, []
            held, self._held = self._held, []
        for a, b in conns:
            _reset(a)
            _reset(b)
        for s in held:
            _reset(s)
        return len(conns)

    def down(self, refuse: bool) -> None:
        """While down, a new connection is reset as soon as it is accepted."""
        self._refuse = refuse

    def blackhole(self, on: bool) -> None:
        """Stop (on) or resume relaying; held-back connections are reset on resume."""
        if on:
            self._flowing.clear()
            return
        with self._lock:
            held, self._held = self._held, []
        for s in held:
            _reset(s)
        self._flowing.set()

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut()
        self._thread.join(5)

    # -- plumbing -------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.1)
                if not ready:
                    continue
                client, _addr = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self._refuse:
                _reset(client)
                continue
            if not self._flowing.is_set():
                with self._lock:
                    self._held.append(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port),
                                                    timeout=2)
            except OSError:
                _reset(client)  # broker down: the client sees a refused/reset connect
                continue
            upstream.settimeout(None)
            with self._lock:
                self._conns.append((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), name="proxy-pump",
                                 daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while not self._closed.is_set():
                if not self._flowing.is_set():
                    self._flowing.wait(0.1)  # leave bytes in the kernel buffers: TCP backs up
                    continue
                ready, _, _ = select.select([src], [], [], 0.1)
                if not ready or not self._flowing.is_set():  # the partition began meanwhile
                    continue
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            self._forget(src, dst)

    def _forget(self, a: socket.socket, b: socket.socket) -> None:
        with self._lock:
            pair = next((p for p in self._conns if a in p and b in p), None)
            if pair is None:
                return
            self._conns.remove(pair)
        # one side closed: close both, so the other end sees the link end too
        for s in pair:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
