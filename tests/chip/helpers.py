"""Shared test data for the chip tests: a synthetic TD3 MRZ, an in-process transport, and
waiting for the simulated card to leave the reader."""

from __future__ import annotations

from ocr.mrz import check_digit
from tools.epassport_sim.card import EPassportCard


def td3(
    doc: str = "LS1234567",
    dob: str = "850412",
    doe: str = "320101",
    surname: str = "TESTER",
    given: str = "PALESA",
) -> list[str]:
    """A valid-looking synthetic TD3 MRZ (not a specimen from any list)."""
    name = f"{surname}<<{given}"
    l1 = ("P<LSO" + name).ljust(44, "<")
    docf = doc.ljust(9, "<")
    opt = "<" * 14
    body = (
        docf
        + check_digit(docf)
        + "LSO"
        + dob
        + check_digit(dob)
        + "F"
        + doe
        + check_digit(doe)
        + opt
        + check_digit(opt)
    )
    composite = body[0:10] + body[13:20] + body[21:43]
    return [l1, body + check_digit(composite)]


class DirectTransport:
    """Transport straight into a simulated card (no PC/SC): for fast protocol tests."""

    def __init__(self, card: EPassportCard) -> None:
        self.card = card
        self.card.reset()

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        resp = self.card.process(apdu)
        return resp[:-2], int.from_bytes(resp[-2:], "big")


def wait_removed(reader: str) -> None:
    from drivers.chip.transport import PcscTransport

    t = PcscTransport(reader)
    try:
        t.wait_for_removal(3.0)
    finally:
        t.close()
