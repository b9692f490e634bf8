"""BufferedSocket over a real loopback TCP connection (the kernel is the peer)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from messaging.buffered_socket import FLUSH_AT, BufferedSocket


@pytest.fixture()
def pair() -> Iterator[tuple[BufferedSocket, socket.socket]]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        ours = socket.create_connection(server.getsockname())
        theirs, _ = server.accept()
    ours.setblocking(False)
    theirs.settimeout(5)
    wrapped = BufferedSocket(ours)
    yield wrapped, theirs
    wrapped.close()
    theirs.close()


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "connection closed early"
        data += chunk
    return data


def wait_readable(sock: BufferedSocket) -> None:
    import select

    assert select.select([sock], [], [], 5)[0]


def test_small_reads_are_served_from_one_kernel_read(
        pair: tuple[BufferedSocket, socket.socket]) -> None:
    ours, theirs = pair
    pubacks = b"\x40\x02\x00\x01" b"\x40\x02\x00\x02" b"\x40\x03\x00\x03\x87"
    theirs.sendall(pubacks)
    wait_readable(ours)
    got = b""
    while len(got) < len(pubacks):  # paho's pattern: type byte, length byte, then the rest
        got += ours.recv(1) + ours.recv(1)
        assert ours.pending() > 0
        got += ours.recv(got[-1])
    assert got == pubacks
    assert ours.pending() == 0
    with pytest.raises(BlockingIOError):  # nothing more: paho treats this as "again"
        ours.recv(1)


def test_writes_wait_for_flush_or_the_threshold(
        pair: tuple[BufferedSocket, socket.socket]) -> None:
    ours, theirs = pair
    assert ours.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert ours.send(b"first") == 5
    assert ours.wants_write
    theirs.settimeout(0.2)
    with pytest.raises(TimeoutError):  # still in our buffer
        theirs.recv(10)
    theirs.settimeout(5)
    ours.flush()
    assert not ours.wants_write
    assert recv_exactly(theirs, 5) == b"first"
    big = bytes(range(256)) * (FLUSH_AT // 256 + 1)
    ours.send(big)  # over the threshold: written without a flush
    assert recv_exactly(theirs, len(big)) == big


def test_end_of_stream_and_a_broken_link_reach_paho(
        pair: tuple[BufferedSocket, socket.socket]) -> None:
    ours, theirs = pair
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    theirs.close()  # linger 0: a reset
    wait_readable(ours)
    for _ in range(50):  # the first write may still be accepted; a later one is refused
        ours.send(b"x" * 1000)
        ours.flush()
        if ours.broken:
            break
    assert ours.broken
    with pytest.raises(OSError):
        ours.recv(1)
    with pytest.raises(OSError):
        ours.send(b"more")


def test_clean_close_reads_as_end_of_stream(
        pair: tuple[BufferedSocket, socket.socket]) -> None:
    ours, theirs = pair
    theirs.sendall(b"\xd0\x00")
    theirs.shutdown(socket.SHUT_WR)
    wait_readable(ours)
    assert ours.recv(1) == b"\xd0" and ours.recv(1) == b"\x00"
    assert ours.recv(1) == b""
