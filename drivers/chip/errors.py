"""Chip errors an officer can act on. Messages never carry personal data or chip contents.

Every class is a ReaderIOError (or ReaderInitError) so callers that only know the reader
interface still handle them; `kind` is a stable machine-readable name and `sw` the status word.
"""

from __future__ import annotations

from imdms.errors import ReaderIOError


class ChipError(ReaderIOError):
    """A chip read failed. `kind` names the failure; `sw` is the status word if one came back."""

    kind = "chip"

    def __init__(self, message: str, hint: str = "", *, sw: int | None = None) -> None:
        super().__init__(message, hint)
        self.sw = sw


class WrongKeysError(ChipError):
    """BAC or PACE refused the keys built from the MRZ (6300 / 6988, or a bad cryptogram)."""

    kind = "wrong_keys"

    def __init__(
        self, message: str = "the chip refused the keys from the MRZ", *, sw: int | None = None
    ) -> None:
        super().__init__(
            message,
            "rescan the data page (document number, birth and expiry dates give the chip keys)",
            sw=sw,
        )


class CardRemovedError(ChipError):
    """The card left the field mid-read. What was read is kept: the next read resumes."""

    kind = "card_removed"

    def __init__(
        self,
        message: str = "the passport was moved off the reader during the read",
        *,
        sw: int | None = None,
    ) -> None:
        super().__init__(
            message,
            "put the passport back flat on the reader and read again: it resumes where it stopped",
            sw=sw,
        )


class PaceRequiredError(ChipError):
    """The chip answers BAC with 6A88/6D00 and no PACE parameters could be used."""

    kind = "pace_required"

    def __init__(self, message: str, *, sw: int | None = None) -> None:
        super().__init__(
            message,
            "this chip only accepts PACE; it offers no PACE parameters this terminal supports: "
            "record the document from the data page and report the passport's issuer",
            sw=sw,
        )


class SecureMessagingError(ChipError):
    """A response failed its MAC or was malformed: the session is no longer trustworthy."""

    kind = "secure_messaging"

    def __init__(self, message: str, *, sw: int | None = None) -> None:
        super().__init__(
            message,
            "read again; if it repeats, the chip or reader is faulty: record from the data page",
            sw=sw,
        )


class StatusWordError(ChipError):
    """The chip answered with a status word we do not handle; the hex code is in the message."""

    kind = "status_word"

    def __init__(self, what: str, sw: int) -> None:
        super().__init__(
            f"{what}: the chip answered status {sw:04X}",
            f"read again; if status {sw:04X} repeats, record from the data page and report it",
            sw=sw,
        )


class CardProtocolError(ChipError):
    """The chip's data is malformed (bad TLV, unsupported structure)."""

    kind = "protocol"

    def __init__(self, message: str) -> None:
        super().__init__(message, "read again; if it repeats, record from the data page")


class CanNotUsableError(ChipError):
    """The officer typed the CAN but the chip offers no usable PACE (BAC needs the MRZ)."""

    kind = "can_not_usable"

    def __init__(self, message: str) -> None:
        super().__init__(
            message, "read the data page (MRZ) or type the document number and dates instead"
        )
