"""The chaos proxy itself, against a plain TCP echo server: it relays, cuts, refuses and
black-holes as its docstring says (so a passing chaos scenario did see the fault)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.chaos.proxy import TcpProxy

pytestmark = pytest.mark.chaos


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def echo(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the proxy resets us on cut()
            while data := conn.recv(4096):
                conn.sendall(data)

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=echo, args=(conn,), daemon=True).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    p = TcpProxy(server.getsockname()[1])
    yield p
    p.close()
    stop.set()
    t.join(2)
    server.close()


def _connect(p: TcpProxy) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", p.port), timeout=2)
    return s


def test_relays_and_cut_resets(proxy: TcpProxy) -> None:
    with _connect(proxy) as s:
        s.sendall(b"ping")
        assert s.recv(4) == b"ping"
        assert proxy.cut() == 1
        with pytest.raises(OSError):  # RST: ECONNRESET (or EOF then EPIPE)
            s.sendall(b"x")
            if not s.recv(1):
                raise ConnectionResetError


def test_down_refuses_new_connections(proxy: TcpProxy) -> None:
    proxy.down(True)
    with pytest.raises(OSError), _connect(proxy) as s:  # reset at connect or first read
        if not s.recv(1):
            raise ConnectionResetError
    proxy.down(False)
    with _connect(proxy) as s:
        s.sendall(b"back")
        assert s.recv(4) == b"back"


def test_blackhole_holds_bytes_until_it_ends(proxy: TcpProxy) -> None:
    with _connect(proxy) as s:
        s.sendall(b"a")
        assert s.recv(1) == b"a"
        proxy.blackhole(True)
        s.sendall(b"held")
        s.settimeout(0.5)
        with pytest.raises(TimeoutError):
            s.recv(4)
        proxy.blackhole(False)
        s.settimeout(2)
        assert s.recv(4) == b"held"  # a partition delays bytes, TCP does not lose them
