"""The transport seam: `transmit(apdu bytes) -> (data, sw)`, and the PC/SC one on pyscard.

Protocol code only sees `Transport`, so it runs in tests against the simulator directly, and in
production over `PcscTransport` (pyscard, imported lazily: a booth without it still starts).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

from drivers.chip.apdu import CommandApdu
from drivers.chip.errors import CardRemovedError
from drivers.chip.sm import SecureMessaging
from imdms.errors import ReaderInitError, ReaderIOError, ReaderUnavailable

log = logging.getLogger(__name__)


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return (response data, status word). Raises ChipError."""
        ...


class Channel:
    """One session on a card: plain until `sm` is set, counting every APDU sent."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.sm: SecureMessaging | None = None
        self.apdu_count = 0

    def send(self, apdu: CommandApdu) -> tuple[bytes, int]:
        wire = self.sm.wrap(apdu) if self.sm is not None else apdu
        self.apdu_count += 1
        data, sw = self.transport.transmit(wire.to_bytes())
        if self.sm is not None:
            return self.sm.unwrap(data, sw)
        return data, sw


# PC/SC result codes we act on (winscard.h); pyscard exposes the same values.
SCARD_S_SUCCESS = 0
SCARD_E_CANCELLED = 0x80100002
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069
CARD_GONE = {
    SCARD_E_NO_SMARTCARD,
    SCARD_E_NOT_TRANSACTED,
    SCARD_W_UNRESPONSIVE_CARD,
    SCARD_W_UNPOWERED_CARD,
    SCARD_W_RESET_CARD,
    SCARD_W_REMOVED_CARD,
}
NO_SERVICE = {SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED}


def _scard() -> Any:
    try:
        from smartcard import scard
    except ImportError as err:
        raise ReaderUnavailable(
            "the chip reader needs pyscard, which is not installed",
            "install the chip extra: pip install 'imdms-terminal[chip]'",
        ) from err
    return scard


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


class PcscTransport:
    """A PC/SC reader through pcscd. `reader` is a substring of the reader name ("" = first).

    `wait_for_card(timeout)` blocks on SCardGetStatusChange (no polling loop of our own);
    `close()` from another thread cancels it. Not thread-safe otherwise.
    """

    def __init__(self, reader: str = "") -> None:
        self._scard = _scard()
        self.reader_filter = reader
        self.reader_name: str | None = None
        self._card: Any = None
        self._protocol: Any = None
        self._fresh = False
        self._woken = False
        self._lock = threading.Lock()
        self._closed = False
        sc = self._scard
        hresult, self._ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
        if hresult != SCARD_S_SUCCESS:
            raise self._init_error(hresult)

    def _init_error(self, hresult: int) -> ReaderInitError:
        code = _code(hresult)
        if code in NO_SERVICE:
            return ReaderInitError(
                "the PC/SC service (pcscd) is not running",
                "start it: systemctl start pcscd.socket, then try again",
            )
        if code in (SCARD_E_READER_UNAVAILABLE, SCARD_E_UNKNOWN_READER):
            self.reader_name = None  # look it up again once it is back
            return ReaderInitError(
                "the chip reader was unplugged", "plug the chip reader back in (USB) and retry"
            )
        if code == SCARD_E_NO_READERS_AVAILABLE:
            return ReaderInitError(
                "no chip reader is connected", "plug the chip reader in (USB) and try again"
            )
        return ReaderInitError(
            f"PC/SC failed with code {code:08X}", "unplug and replug the chip reader, then retry"
        )

    def find_reader(self) -> str:
        sc = self._scard
        hresult, names = sc.SCardListReaders(self._ctx, [])
        if hresult != SCARD_S_SUCCESS:
            raise self._init_error(hresult)
        for name in names:
            if self.reader_filter in name:
                self.reader_name = str(name)
                return self.reader_name
        raise ReaderInitError(
            "the configured chip reader is not connected",
            "check [reader].reader in the configuration against `pcsc_scan`, and plug it in",
        )

    def card_present(self) -> bool:
        return self.wait_for_card(0)

    def wait_for_card(self, timeout: float | None) -> bool:
        """True once a card is in the field; False after `timeout` seconds (None: forever)."""
        return self._wait(True, timeout)

    def wait_for_removal(self, timeout: float | None) -> bool:
        """True once the field is empty; False after `timeout` seconds (None: forever)."""
        return self._wait(False, timeout)

    def _wait(self, present: bool, timeout: float | None) -> bool:
        sc = self._scard
        name = self.reader_name or self.find_reader()
        deadline = None if timeout is None else time.monotonic() + timeout
        state = sc.SCARD_STATE_UNAWARE
        self._woken = False
        while not self._closed and not self._woken:
            left = 1000 if deadline is None else int((deadline - time.monotonic()) * 1000)
            # slices of at most 1 s: a wake() landing just before the call is not lost
            left = max(0, min(left, 1000))
            # pcscd answers at once when our view is stale (first call, or a change we missed)
            hresult, states = sc.SCardGetStatusChange(self._ctx, left, [(name, state)])
            code = _code(hresult)
            if code == SCARD_E_TIMEOUT:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                continue
            if code == SCARD_E_CANCELLED:
                return False
            if code != SCARD_S_SUCCESS:
                raise self._init_error(hresult)
            _name, event, _atr = states[0]
            if bool(event & sc.SCARD_STATE_PRESENT and not event & sc.SCARD_STATE_MUTE) == present:
                return True
            state = event & ~sc.SCARD_STATE_CHANGED
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return False

    def connect(self) -> None:
        """Power the card and open it (T=1 preferred). Raises CardRemovedError if none."""
        sc = self._scard
        name = self.reader_name or self.find_reader()
        hresult, card, proto = sc.SCardConnect(
            self._ctx, name, sc.SCARD_SHARE_EXCLUSIVE, sc.SCARD_PROTOCOL_T1 | sc.SCARD_PROTOCOL_T0
        )
        if hresult != SCARD_S_SUCCESS:
            code = _code(hresult)
            if code in CARD_GONE:
                raise CardRemovedError("no passport chip answered on the reader")
            raise ReaderIOError(
                f"the chip reader refused to connect (PC/SC {code:08X})",
                "put the passport back on the reader; if it repeats, replug the reader",
            )
        self._card, self._protocol = card, proto
        self._fresh = True

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        sc = self._scard
        for attempt in range(3):
            if self._card is None:
                self.connect()
            hresult, response = sc.SCardTransmit(self._card, self._protocol, list(apdu))
            code = _code(hresult)
            gone = code in CARD_GONE or (code == SCARD_S_SUCCESS and len(response) < 2)
            if gone and self._fresh and attempt < 2:
                # a card swapped faster than pcscd polls (~400 ms) fails its first APDU with a
                # stale handle: wait for pcscd's next view of the slot and reconnect once
                self._drop()
                self._settle()
                continue
            break
        if code != SCARD_S_SUCCESS:
            self._drop()
            if code in CARD_GONE:
                raise CardRemovedError()
            raise ReaderIOError(
                f"the chip reader failed mid-read (PC/SC {code:08X})",
                "put the passport back on the reader and read again",
            )
        if len(response) < 2:  # vpcd and some readers report a card gone mid-APDU this way
            self._drop()
            raise CardRemovedError("the passport chip stopped answering during the read")
        self._fresh = False
        data, sw = bytes(response[:-2]), (response[-2] << 8) | response[-1]
        while sw >> 8 == 0x61 and self._card is not None:  # T=0: fetch the rest (GET RESPONSE)
            more, sw = self._raw(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            data += more
        return data, sw

    def _raw(self, apdu: bytes) -> tuple[bytes, int]:
        sc = self._scard
        hresult, response = sc.SCardTransmit(self._card, self._protocol, list(apdu))
        if _code(hresult) != SCARD_S_SUCCESS or len(response) < 2:
            self._drop()
            raise CardRemovedError()
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]

    def _settle(self) -> None:
        sc = self._scard
        name = self.reader_name or self.find_reader()
        _h, states = sc.SCardGetStatusChange(self._ctx, 0, [(name, sc.SCARD_STATE_UNAWARE)])
        current = states[0][1] & ~sc.SCARD_STATE_CHANGED if states else sc.SCARD_STATE_UNAWARE
        sc.SCardGetStatusChange(self._ctx, 1000, [(name, current)])
        self.wait_for_card(2.0)

    def _drop(self) -> None:
        if self._card is not None:
            self._scard.SCardDisconnect(self._card, self._scard.SCARD_LEAVE_CARD)
            self._card = None

    def disconnect(self) -> None:
        """End the session and reset the card so the next one starts clean."""
        if self._card is not None:
            self._scard.SCardDisconnect(self._card, self._scard.SCARD_RESET_CARD)
            self._card = None

    def wake(self) -> None:
        """Make a blocked wait_for_card/wait_for_removal return False now (from any thread)."""
        self._woken = True
        if not self._closed:
            self._scard.SCardCancel(self._ctx)

    def close(self) -> None:
        """Idempotent; wakes a blocked wait_for_card from another thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        sc = self._scard
        sc.SCardCancel(self._ctx)
        try:
            self.disconnect()
        finally:
            sc.SCardReleaseContext(self._ctx)
