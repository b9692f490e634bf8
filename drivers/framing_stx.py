"""The ``stx-etx`` and Desko ``desko-cute`` framings. See drivers/framing.py."""

from __future__ import annotations

from typing import ClassVar

from drivers.framing_base import (
    CR,
    ETX,
    LF,
    STX,
    Frame,
    Framing,
    _printable,
    _split_lines,
    line_problem,
)
from drivers.framing_block import BlockDecoder


class StxEtxDecoder(BlockDecoder):
    """``<STX> line <CR|LF|CRLF> line ... <ETX>``."""

    framing: ClassVar[Framing] = "stx-etx"

    def _complete(self) -> int:
        return len(self._buf) if self._buf[-1] == ETX else 0

    def _decode(self, frame: bytes, started: float) -> Frame:
        body = frame[1:-1]
        if any(b < 0x20 and b not in (CR, LF) for b in body):
            return Frame((), "garbled frame: control bytes inside the frame; check the framing "
                         "and baud rate settings", started)
        lines = tuple(x for x in _split_lines(_printable(body)) if x)
        return Frame(lines, line_problem(lines), started)


class DeskoCuteDecoder(StxEtxDecoder):
    """``<SODO> <STX> line <CR> line <CR> ... <ETX> <EODO>``; the frame completes at ETX so the
    trailing EODO (between frames, a control byte) costs no latency."""

    framing: ClassVar[Framing] = "desko-cute"

    def __init__(self, *, sod: int | None = None, eod: int | None = None,
                 stale_after_s: float = 2.0) -> None:
        super().__init__(stale_after_s=stale_after_s)
        self.sod, self.eod = sod, eod
        self._before: int | None = None  # the byte just before STX
        self._expect_eod = False

    def feed(self, data: bytes, now: float) -> list[Frame]:
        out: list[Frame] = []
        for b in data:  # byte-wise: the SODO/EODO checks need each byte's neighbours
            if not self._in_frame:
                if self._expect_eod:
                    self._expect_eod = False
                    if self.eod is not None and b != self.eod:
                        out.append(Frame((), "garbled frame: the end-of-document marker is "
                                         "missing; check the framing setting", now))
                    if b != STX and b < 0x20:
                        self._last = now
                        continue
                if b == STX and self.sod is not None and self._before != self.sod:
                    out.append(Frame((), "garbled frame: the start-of-document marker is "
                                     "missing; check the framing setting", now))
                self._before = b
            frames = super().feed(bytes([b]), now)
            if frames and not self._in_frame:
                self._expect_eod = True
            out += frames
        return out
