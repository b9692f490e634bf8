"""SELECT and READ BINARY by short file id, extended length first, stepping down on refusal.

Real chips differ in the largest Le they accept (many fail at 256; 223/224, 192, 160 and 128
are reported). `FileReader` tries its current Le; when the chip refuses (6700, 6Cxx, 6F00, an
empty answer or a broken response to an extended APDU) it steps down the ladder and continues
from the same offset: bytes already read are never read again, and the Le that worked is kept
for the rest of the session.

Short file ids are tried first (one APDU per file). Chips without them answer 6A82, 6A86, 6A81,
6981, 6986, 6D00 or 6E00, or answer with bytes that are not the file; the file is then selected
by its file id, and every later file too (the chip will not change its mind mid-session).
"""

from __future__ import annotations

import logging
import time
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
LADDER = (EXTENDED_LE, 0xFF, 0xDF, 0xC0, 0xA0, 0x80, 0x40)
# below this a chip is slow (real ones: 3-15 s per read); big files are then read in chunks
# of PROGRESS_CHUNK so the officer's progress bar moves and a pulled card loses little
SLOW_BYTES_PER_S = 2048
PROGRESS_CHUNK = 1024
# status words with which chips refuse READ BINARY by short file id
SFI_REFUSED = frozenset({0x6A82, 0x6A86, 0x6A81, 0x6981, 0x6986, 0x6D00, 0x6E00})

SFI = {
    "COM": 0x1E,
    "DG1": 0x01,
    "DG2": 0x02,
    "DG14": 0x0E,
    "DG15": 0x0F,
    "SOD": 0x1D,
    "CardAccess": 0x1C,
}
FID = {name: 0x0100 | sfi for name, sfi in SFI.items()}
# the first byte of each file: an SFI answer starting otherwise is not that file
FIRST_TAG = {
    "COM": 0x60,
    "DG1": 0x61,
    "DG2": 0x75,
    "DG14": 0x6E,
    "DG15": 0x6F,
    "SOD": 0x77,
    "CardAccess": 0x31,
}


class FileNotFound(ChipError):
    kind = "file_not_found"


def select_emrtd(channel: Channel) -> None:
    _data, sw = channel.send(CommandApdu(0x00, INS_SELECT, 0x04, 0x0C, EMRTD_AID))
    if sw != SW_OK:
        raise StatusWordError("the chip has no ePassport application (SELECT)", sw)


def select_master_file(channel: Channel) -> None:
    """SELECT the MF (where EF.CardAccess lives): `00 A4 00 0C` without data, or with 3F00 for
    chips that want the file id (both forms are in the field). Raises StatusWordError."""
    _data, sw = channel.send(CommandApdu(0x00, INS_SELECT, 0x00, 0x0C))
    if sw != SW_OK:
        _data, sw = channel.send(CommandApdu(0x00, INS_SELECT, 0x00, 0x0C, b"\x3f\x00"))
    if sw != SW_OK:
        raise StatusWordError("the chip refused to select its master file", sw)


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
        self.desync_risk = False  # a protected extended APDU got a bare refusal
        self.partial = partial if partial is not None else {}
        self.progress = progress
        self.slow = False  # the chip sends under SLOW_BYTES_PER_S: read big files in chunks
        self.sfi_works: bool | None = None  # False once the chip refused a short file id
        self.selected_by_id: list[str] = []  # files read after SELECT by file id
        self._reselected = False

    @property
    def access(self) -> str:
        """How files were reached: "sfi" (short file ids) or "select" (SELECT by file id)."""
        return "select" if self.selected_by_id else "sfi"

    def select_by_id(self, name: str) -> None:
        """SELECT the file by id; once re-select the eMRTD application when the chip has no
        current application any more (6985/6986) and try again."""
        fid = FID[name].to_bytes(2, "big")
        _d, sw = self.channel.send(CommandApdu(0x00, INS_SELECT, 0x02, 0x0C, fid))
        if sw in (0x6985, 0x6986) and not self._reselected:
            self._reselected = True
            select_emrtd(self.channel)
            _d, sw = self.channel.send(CommandApdu(0x00, INS_SELECT, 0x02, 0x0C, fid))
        if sw != SW_OK:
            self._raise(name, sw)
        self.selected_by_id.append(name)

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

    def read(self, name: str, *, by_id_on_6a82: bool = True) -> bytes:
        """The whole file `name` (a key of SFI). Raises FileNotFound, StatusWordError, ChipError.

        `by_id_on_6a82=False`: a 6A82 answer to the short file id means the file is absent
        (no SELECT to confirm it: saves an APDU where absence is common, EF.CardAccess)."""
        buf = self.partial.setdefault(name, bytearray())
        total: int | None = total_length(bytes(buf)) if buf else None
        # after a resume the file is not selected yet: the first APDU selects it by short file
        # id, which only reaches offsets up to 255; past that, SELECT it by file id instead
        first = True
        while total is None or len(buf) < total:
            offset = len(buf)
            if first and (offset > 0xFF or self.sfi_works is False):
                self.select_by_id(name)
                first = False
            want = self.le if total is None else min(self.le, total - offset)
            if self.slow and want > PROGRESS_CHUNK:
                want = PROGRESS_CHUNK  # a slow chip: chunks, so progress moves and resume helps
            t0 = time.monotonic()
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
            if first and sw == SW_FILE_NOT_FOUND and not by_id_on_6a82:
                self._raise(name, sw)
            if first and (sw in SFI_REFUSED or self._not_the_file(name, offset, data, sw)):
                # no short file ids (or a file that is really absent: SELECT says which)
                self.select_by_id(name)
                self.sfi_works = False
                log.info("chip refused a short file id (%04X); selecting files by id", sw)
                first = False
                continue
            if sw == SW_OK and not data and want > 256 and self.step + 1 < len(self.ladder):
                sw = SW_WRONG_LENGTH  # an empty answer to an extended Le: too long for it
            if _refused(sw) and self.step + 1 < len(self.ladder):
                sm = self.channel.sm
                if want > 256 and sm is not None and sm.last_plain:
                    # a bare 6700 to a protected extended APDU: some chips did not count it in
                    # their SSC (gmrtd #457); if SM breaks next, the session restarts short
                    self.desync_risk = True
                self._step_down(sw)
                continue
            if first:
                self.sfi_works = True
            if sw not in (SW_OK, 0x6282) or (not data and sw == SW_OK):
                self._raise(name, sw)
            first = False
            self._measure(len(data), time.monotonic() - t0)
            buf += data
            if total is None:
                total = total_length(bytes(buf))
            if self.progress is not None:
                self.progress(name, len(buf), total)
            if sw == 0x6282:  # end of file reached before Le
                break
        del buf[total or len(buf) :]
        return bytes(buf)

    def _not_the_file(self, name: str, offset: int, data: bytes, sw: int) -> bool:
        """A 9000 answer to a short-file-id read that is not the start of the file (empty, or
        another file's bytes: chips that ignore the short file id)."""
        return sw == SW_OK and offset == 0 and (not data or data[0] != FIRST_TAG[name])

    def _measure(self, n: int, seconds: float) -> None:
        """Learn the chip's speed from answers of at least 256 bytes (smaller ones measure the
        per-APDU latency, not the link)."""
        if n >= 256 and seconds > 0 and n / seconds < SLOW_BYTES_PER_S:
            if not self.slow:
                log.info(
                    "slow chip (%.0f bytes/s): reading in %d-byte chunks",
                    n / seconds,
                    PROGRESS_CHUNK,
                )
            self.slow = True

    def _step_down(self, sw: int) -> None:
        exact = sw & 0xFF if (sw & 0xFF00) == 0x6C00 else 0
        if exact and exact < self.le:  # 6Cxx names the length the chip accepts
            self.ladder = [*self.ladder[: self.step + 1], exact] + [
                le for le in self.ladder[self.step + 1 :] if le < exact
            ]
        self.step += 1
        log.info("chip refused Le; stepping down to %d", self.le)

    def _raise(self, name: str, sw: int) -> None:
        if sw == SW_FILE_NOT_FOUND:
            raise FileNotFound(f"the chip has no {name}", "record from the data page", sw=sw)
        if sw == SW_SECURITY_NOT_SATISFIED:
            raise StatusWordError(f"the chip refused to release {name}", sw)
        raise StatusWordError(f"reading {name} failed", sw)
