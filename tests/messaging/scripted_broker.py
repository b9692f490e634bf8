"""A scripted MQTT 3.1.1 broker: a loopback socket the test drives packet by packet, with the
packets built byte by byte (after paho's own test/paho_test.py: gen_connect, gen_publish...).

The test thread runs the script (accept, expect, send, drop); the client under test runs in its
own thread. Nothing here parses more of MQTT than the forwarder sends.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK = 0x10, 0x20, 0x30, 0x40
SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 0x80, 0x90, 0xC0, 0xD0, 0xE0


def _len(n: int) -> bytes:
    """MQTT's variable-length "remaining length"."""
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _str(data: bytes) -> bytes:
    return len(data).to_bytes(2, "big") + data


def packet(first: int, body: bytes) -> bytes:
    return bytes([first]) + _len(len(body)) + body


def gen_connect(client_id: str, keepalive: int, *, clean_session: bool, will_topic: str,
                will_payload: bytes, will_qos: int = 1, will_retain: bool = True) -> bytes:
    flags = (0x02 if clean_session else 0) | 0x04 | (will_qos << 3) | (0x20 if will_retain else 0)
    body = _str(b"MQTT") + bytes([4, flags]) + keepalive.to_bytes(2, "big")
    body += _str(client_id.encode()) + _str(will_topic.encode()) + _str(will_payload)
    return packet(CONNECT, body)


def gen_connack(*, session_present: bool, rc: int = 0) -> bytes:
    return packet(CONNACK, bytes([1 if session_present else 0, rc]))


def gen_publish(topic: str, payload: bytes, *, qos: int, mid: int = 0, dup: bool = False,
                retain: bool = False) -> bytes:
    first = PUBLISH | (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = _str(topic.encode()) + (mid.to_bytes(2, "big") if qos else b"") + payload
    return packet(first, body)


def gen_puback(mid: int) -> bytes:
    return packet(PUBACK, mid.to_bytes(2, "big"))


@dataclass(frozen=True)
class Packet:
    raw: bytes
    first: int
    body: bytes

    @property
    def kind(self) -> int:
        return self.first & 0xF0

    @property
    def topic(self) -> str:
        """PUBLISH only."""
        n = int.from_bytes(self.body[:2], "big")
        return self.body[2 : 2 + n].decode()

    @property
    def mid(self) -> int:
        """PUBLISH (QoS > 0) and SUBSCRIBE: the packet identifier."""
        if self.kind == PUBLISH:
            n = int.from_bytes(self.body[:2], "big")
            return int.from_bytes(self.body[2 + n : 4 + n], "big")
        return int.from_bytes(self.body[:2], "big")

    @property
    def qos(self) -> int:
        return (self.first >> 1) & 0x03


class Conn:
    """One accepted client connection."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buf = b""

    def _need(self, n: int, deadline: float) -> bytes:
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the client sent nothing more")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the client closed the connection")
            self._buf += chunk
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def read(self, timeout: float = 10.0) -> Packet:
        deadline = time.monotonic() + timeout
        head = self._need(1, deadline)
        length, shift, raw_len = 0, 0, b""
        while True:
            byte = self._need(1, deadline)
            raw_len += byte
            length |= (byte[0] & 0x7F) << shift
            shift += 7
            if not byte[0] & 0x80:
                break
        body = self._need(length, deadline)
        return Packet(head + raw_len + body, head[0], body)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def drop(self) -> None:
        """Close the TCP link at once (no DISCONNECT: the broker 'vanished')."""
        self.sock.close()


class ScriptedBroker:
    """A listening loopback socket; `accept()` returns the next client connection."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.server.getsockname()[1]

    def accept(self, timeout: float = 10.0) -> Conn:
        self.server.settimeout(timeout)
        sock, _ = self.server.accept()
        return Conn(sock)

    def close(self) -> None:
        self.server.close()
