"""vsmartcard's vpcd socket protocol, card side (we are the TCP client; vpcd listens).

Each message is a 2-byte big-endian length and a payload. A 1-byte payload is a control
message: 0x00 power off, 0x01 power on, 0x02 reset, 0x04 "send your ATR". Anything longer is
a command APDU, answered with a length-prefixed response APDU.

vpcd writes each message with two send() calls; with delayed ACKs that costs ~40 ms per APDU,
so TCP_QUICKACK is set before every receive (Linux clears it after each ACK).
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from tools.epassport_sim.card import CardLost, EPassportCard

log = logging.getLogger(__name__)

VPCD_PORT = 35963  # "Virtual PCD 00 00"; slot 00 01 is 35964
# T=0 and T=1 offered, 8 historical bytes of zeros (the PC/SC contactless shape), with TCK
ATR = bytes.fromhex("3B8880010000000000000000" + "09")
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class VpcdClient:
    """Connects `card` to vpcd at host:port in a background thread.

    `start()` returns at once; `connected` is set once vpcd accepted us. `stop()` closes the
    socket (pcscd sees the card removed) and joins the thread. After a CardLost fault the
    connection is dropped and `lost` is set; call `start()` again to re-insert the card.
    """

    def __init__(
        self,
        card: EPassportCard,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        atr: bytes = ATR,
        quickack: bool = True,
    ) -> None:
        self.card, self.host, self.port, self.atr = card, host, port, atr
        self.quickack = quickack  # False only to measure the delayed-ACK stall
        self.connected = threading.Event()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> None:
        """Connect (retrying until vpcd listens, up to `timeout` s) and serve in a thread."""
        self.stop()
        self._stop.clear()
        self.connected.clear()
        self.lost.clear()
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                # vpcd opens its port when pcscd loads the driver: nothing to wait on but time
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self.card.reset()
        self.connected.set()
        self._thread = threading.Thread(target=self._serve, name="vpcd-sim", daemon=True)
        self._thread.start()

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            if self.quickack:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        try:
            while not self._stop.is_set():
                head = self._recv_exact(sock, 2)
                if head is None:
                    break
                payload = self._recv_exact(sock, int.from_bytes(head, "big"))
                if payload is None:
                    break
                if len(payload) == 1:
                    if payload[0] == CTRL_ATR:
                        self._send(sock, self.atr)
                    elif payload[0] in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                        self.card.reset()
                    continue
                try:
                    response = self.card.process(payload)
                except CardLost:
                    self.lost.set()
                    break
                self._send(sock, response)
        except OSError:
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass
            self.connected.clear()

    def stop(self) -> None:
        """Remove the card: close the connection and wait for the thread. Idempotent."""
        self._stop.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def __enter__(self) -> VpcdClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
