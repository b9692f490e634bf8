"""A card slot in the same process: the PcscTransport interface without pcscd or pyscard.

For tests and demos that need a ChipReader but no root: `ChipReader(config,
transport=InProcessSlot())`, then `slot.insert(card)` / `slot.remove()` from any thread.
"""

from __future__ import annotations

import threading
import time

from drivers.chip.errors import CardRemovedError
from tools.epassport_sim.card import CardLost, EPassportCard


class InProcessSlot:
    """One contactless slot. Card events wake waiters at once (threading.Condition)."""

    def __init__(self, name: str = "In-process slot", *, extended_apdus: bool = True) -> None:
        self.reader_name = name
        self.extended_apdus = extended_apdus  # False: a reader that fails extended APDUs
        self._card: EPassportCard | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._session = False
        self._woken = False

    # ---- test side ---------------------------------------------------------------------
    def insert(self, card: EPassportCard) -> None:
        with self._cond:
            card.reset()
            self._card = card
            self._cond.notify_all()

    def remove(self) -> None:
        with self._cond:
            self._card = None
            self._session = False
            self._cond.notify_all()

    # ---- PcscTransport interface ---------------------------------------------------------
    def find_reader(self) -> str:
        return self.reader_name

    def _wait(self, present: bool, timeout: float | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._woken = False
            while not self._closed and (self._card is not None) != present:
                if self._woken:
                    return False
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return not self._closed

    def wait_for_card(self, timeout: float | None) -> bool:
        return self._wait(True, timeout)

    def wait_for_removal(self, timeout: float | None) -> bool:
        return self._wait(False, timeout)

    def card_present(self) -> bool:
        return self._card is not None

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        card = self._card
        if card is None:
            raise CardRemovedError()
        self._session = True
        if not self.extended_apdus and len(apdu) > 5 and apdu[4] == 0:
            self._session = False  # like pcscd's SCARD_E_NOT_TRANSACTED: the exchange is lost
            raise CardRemovedError("the chip reader could not carry the command")
        try:
            resp = card.process(apdu)
        except CardLost as err:
            self.remove()
            raise CardRemovedError() from err
        return resp[:-2], int.from_bytes(resp[-2:], "big")

    def disconnect(self) -> None:
        card = self._card
        if card is not None and self._session:
            card.reset()  # SCARD_RESET_CARD
        self._session = False

    def wake(self) -> None:
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
