"""SELECT and READ BINARY by short file id, extended length first, stepping down on refusal.

Real chips differ in the largest Le they accept (many fail at 256; 223/224 and 160 are common).
`FileReader` tries its current Le; when the chip refuses (6700, 6Cxx, 6F00, or a broken response
to an extended APDU) it steps down the ladder and continues from the same offset: bytes already
read are never read again, and the Le that worked is kept for the rest of the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from drivers.chip.apdu import (
    EMRTD_AID,
    INS_READ_BINARY,
    INS_SELECT,
    SW_FILE_NOT_FOUND,
    SW_OK,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_LENGTH,
    CommandApdu,
)
from drivers.chip.errors import CardProtocolError, ChipError, StatusWordError
from drivers.chip.tlv import find, tlv, total_length
from drivers.chip.transport import Channel
from imdms.errors import ReaderIOError

log = logging.getLogger(__name__)

EXTENDED_LE = 65536
LADDER = (EXTENDED_LE, 0xFF, 0xDF, 0xA0, 0x80, 0x40)

SFI = {
    "COM": 0x1E,
    "DG1": 0x01,
    "DG2": 0x02,
    "DG14": 0x0E,
    "DG15": 0x0F,
    "SOD": 0x1D,
    "CardAccess": 0x1C,
}
FID = {"COM": 0x011E, "DG1": 0x0101, "DG2": 0x0102, "SOD": 0x011D, "CardAccess": 0x011C}


class FileNotFound(ChipError):
    kind = "file_not_found"


def select_emrtd(channel: Channel) -> None:
    _data, sw = channel.send(CommandApdu(0x00, INS_SELECT, 0x04, 0x0C, EMRTD_AID))
    if sw != SW_OK:
        raise StatusWordError("the chip has no ePassport application (SELECT)", sw)


def _refused(sw: int) -> bool:
    return sw in (SW_WRONG_LENGTH, 0x6F00) or (sw & 0xFF00) == 0x6C00


class FileReader:
    """Reads whole files. `max_le` caps the ladder (config `max_le`); `partial` maps a file name
    to bytes already read (kept across a card removal so the next session resumes)."""

    def __init__(
        self,
        channel: Channel,
        max_le: int = EXTENDED_LE,
        partial: dict[str, bytearray] | None = None,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        self.channel = channel
        self.ladder = [le for le in LADDER if le <= max_le] or [max_le]
        if max_le not in self.ladder and max_le < LADDER[0]:
            self.ladder.insert(0, max_le)
        self.step = 0
        self.extended_failed = False
        self.partial = partial if partial is not None else {}
        self.progress = progress

    @property
    def le(self) -> int:
        return self.ladder[self.step]

    def _read(self, name: str, offset: int, le: int, first: bool) -> tuple[bytes, int]:
        if first:  # the first read selects the file by short file id
            p1, p2 = 0x80 | SFI[name], offset
        elif offset > 0x7FFF:  # past 32 KB: READ BINARY with odd INS and the offset in DO'54'
            return self._read_odd(offset, le)
        else:
            p1, p2 = offset >> 8, offset & 0xFF
        return self.channel.send(CommandApdu(0x00, INS_READ_BINARY, p1, p2, le=le))

    def _read_odd(self, offset: int, le: int) -> tuple[bytes, int]:
        size = max(1, (offset.bit_length() + 7) // 8)
        cmd = CommandApdu(
            0x00, INS_READ_BINARY | 1, 0, 0, tlv(0x54, offset.to_bytes(size, "big")), le=le
        )
        data, sw = self.channel.send(cmd)
        if not data:
            return data, sw
        value = find(data, 0x53)
        if value is None:
            raise CardProtocolError("READ BINARY past 32 KB: the chip's answer lacks DO'53'")
        return value, sw

    def read(self, name: str) -> bytes:
        """The whole file `name` (a key of SFI). Raises FileNotFound, StatusWordError, ChipError."""
        buf = self.partial.setdefault(name, bytearray())
        total: int | None = total_length(bytes(buf)) if buf else None
        # after a resume the file is not selected yet: the first APDU selects it by short file
        # id, which only reaches offsets up to 255; past that, SELECT it by file id instead
        first = True
        while total is None or len(buf) < total:
            offset = len(buf)
            if first and offset > 0xFF:
                fid = FID[name].to_bytes(2, "big")
                _d, sw = self.channel.send(CommandApdu(0x00, INS_SELECT, 0x02, 0x0C, fid))
                if sw != SW_OK:
                    self._raise(name, sw)
                first = False
            want = self.le if total is None else min(self.le, total - offset)
            try:
                data, sw = self._read(name, offset, want, first)
            except CardProtocolError:
                if self.le > 256 and self.step + 1 < len(self.ladder):
                    self.step += 1
                    continue
                raise
            except ReaderIOError:
                # readers without extended-length support often fail the exchange itself
                # rather than return 6700: the caller retries the session with short Le
                self.extended_failed = want > 256
                raise
            if first and sw in (0x6A81, 0x6A86, 0x6981):  # no short file ids: SELECT by id
                fid = FID[name].to_bytes(2, "big")
                _d, sel = self.channel.send(CommandApdu(0x00, INS_SELECT, 0x02, 0x0C, fid))
                if sel != SW_OK:
                    self._raise(name, sel)
                first = False
                continue
            if _refused(sw) and self.step + 1 < len(self.ladder):
                self.step += 1
                log.info("chip refused Le; stepping down to %d", self.le)
                continue
            if sw not in (SW_OK, 0x6282) or (not data and sw == SW_OK):
                self._raise(name, sw)
            first = False
            buf += data
            if total is None:
                total = total_length(bytes(buf))
            if self.progress is not None:
                self.progress(name, len(buf), total)
            if sw == 0x6282:  # end of file reached before Le
                break
        del buf[total or len(buf) :]
        return bytes(buf)

    def _raise(self, name: str, sw: int) -> None:
        if sw == SW_FILE_NOT_FOUND:
            raise FileNotFound(f"the chip has no {name}", "record from the data page", sw=sw)
        if sw == SW_SECURITY_NOT_SATISFIED:
            raise StatusWordError(f"the chip refused to release {name}", sw)
        raise StatusWordError(f"reading {name} failed", sw)
