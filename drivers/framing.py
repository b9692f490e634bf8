"""How serial MRZ readers frame a document: incremental decoders (bytes in, lines out) and encoders.

Pure code, no I/O: the caller feeds whatever bytes the port returned, with the monotonic time
they arrived, and gets zero or more `Frame`s back. A `Frame` is either the MRZ lines of one
document or an error saying why the bytes could not be used (a frame cut short, a wrong BCC,
unreadable characters). Noise outside any frame (a reader powering up sends `\x00garbage\r\n`)
is skipped, not a Frame: `drain_noise()` says how many bytes were skipped, so the caller can
warn once and read the frame that follows. Decoders never raise on any input and keep bounded
memory, so a noisy line cannot crash or bloat the terminal.

Framings (the `framing` config key):

- ``lines``: each MRZ line ends with CR, LF or CRLF. A document ends when its lines form a
  complete MRZ (3x30, 2x36 or 2x44 characters), on an empty line, or when no line arrives for
  `inter_line_timeout_s`.
- ``stx-etx``: ``<STX> line <CR|LF> line ... <ETX>``.
- ``3m-rte``: 3M/Gemalto RTE native: ``<SOH> len_lo len_hi "O" "U" <STX> flag data <ETX> BCC``
  where data is three CR-terminated lines padded with '_' (missing top lines are empty), the
  length word counts the whole block from SOH to BCC (14 significant bits) and BCC is the XOR of
  every byte after the length word up to and including ETX.
- ``desko-cute``: Desko's CUTE interface: ``<SODO> <STX> line <CR> line <CR> ... <ETX> <EODO>``.
  The SODO/EODO device delimiters are not part of the data; any control byte is accepted there
  unless `sod`/`eod` are given.

Timeouts: call `poll(now)` when `deadline()` passes; it flushes a `lines` document and reports a
block frame that stopped arriving (a partial frame) after `stale_after_s`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Framing = Literal["lines", "stx-etx", "3m-rte", "desko-cute"]
FRAMINGS: tuple[Framing, ...] = ("lines", "stx-etx", "3m-rte", "desko-cute")

SOH, STX, ETX, LF, CR = 0x01, 0x02, 0x03, 0x0A, 0x0D
# Desko's SODO/EODO bytes used by our encoder (simulator); the decoder accepts any control byte.
DESKO_SOD, DESKO_EOD = 0x1C, 0x1D

MAX_FRAME_BYTES = 1024  # Desko allows 1024 characters; every real MRZ frame is < 200 bytes
MAX_LINES = 6
COMPLETE_SHAPES = ((30, 30, 30), (36, 36), (44, 44))
MRZ_CHARS = re.compile(r"^[A-Z0-9<]*$")
UNREADABLE = ("?", "*")


@dataclass(frozen=True, slots=True)
class Frame:
    """One framed document: MRZ lines, or `error` (no personal data) when it was unusable."""

    lines: tuple[str, ...] = field(default=(), repr=False)
    error: str | None = None
    started: float = 0.0  # monotonic time of the frame's first byte
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def line_problem(lines: Sequence[str]) -> str | None:
    """Why these lines cannot be an MRZ as sent by a reader, or None. Never quotes the data."""
    if not lines:
        return "empty frame: the reader sent no MRZ lines; present the document again"
    for number, line in enumerate(lines, start=1):
        bad = sum(line.count(c) for c in UNREADABLE)
        if bad:
            return (
                f"unreadable characters: the reader could not read {bad} character(s) in line "
                f"{number}; clean the document window and present the document again"
            )
        if not MRZ_CHARS.match(line):
            return (
                f"garbled frame: line {number} has characters that are not in an MRZ; "
                "check the reader's baud rate, parity and framing settings"
            )
    return None


def _is_noise_line(text: str) -> bool:
    """A line that cannot be the start of an MRZ: characters outside the MRZ set (other than
    the reader's unreadable-character marks). Upper-case words stay: "not an MRZ" says more."""
    return not re.fullmatch(r"[A-Z0-9<?*]+", text)


def _printable(data: bytes | bytearray) -> str:
    return bytes(data).decode("latin-1")


def _noise(data: bytes | bytearray) -> bool:
    """True when bytes between frames are more than whitespace and control bytes."""
    return any(0x21 <= b <= 0x7E or b >= 0x80 for b in data)


class FrameDecoder(ABC):
    """Incremental decoder: `feed(bytes, now) -> [Frame]`, `poll(now)`, `deadline()`, `reset()`."""

    framing: ClassVar[Framing]

    def __init__(self, *, stale_after_s: float = 2.0) -> None:
        self.stale_after_s = stale_after_s
        self._skipped = 0

    def drain_noise(self) -> int:
        """Bytes of noise skipped outside any frame since the last call."""
        skipped, self._skipped = self._skipped, 0
        return skipped

    @abstractmethod
    def feed(self, data: bytes, now: float) -> list[Frame]:
        """Consume bytes that arrived at monotonic time `now`; return completed frames."""

    @abstractmethod
    def poll(self, now: float) -> list[Frame]:
        """Apply timeouts at monotonic time `now` (flush a document, report a stalled frame)."""

    @abstractmethod
    def deadline(self) -> float | None:
        """Monotonic time when `poll` has something to do; None when idle."""

    @abstractmethod
    def reset(self) -> list[Frame]:
        """Drop any partial state (device gone); returns an error frame if a frame was cut."""


class LinesDecoder(FrameDecoder):
    """CR, LF or CRLF terminated lines; a document ends on a complete shape, a blank line, or
    `inter_line_timeout_s` without a new line."""

    framing = "lines"

    def __init__(self, *, inter_line_timeout_s: float = 0.3, stale_after_s: float = 2.0) -> None:
        super().__init__(stale_after_s=stale_after_s)
        self.inter_line_timeout_s = inter_line_timeout_s
        self._line = bytearray()
        self._lines: list[str] = []
        self._skip_lf = False
        self._started = 0.0
        self._last = 0.0
        self._overflow = False

    def _emit(self) -> list[Frame]:
        lines, started, overflow = tuple(self._lines), self._started, self._overflow
        self._lines, self._overflow, self._started = [], False, 0.0
        if overflow:
            return [Frame(lines, "garbled frame: a line was far too long; check the reader's "
                          "framing and baud rate settings", started)]
        if not lines:
            return []
        return [Frame(lines, line_problem(lines), started)]

    def _end_line(self, now: float) -> list[Frame]:
        raw = len(self._line)
        text = _printable(self._line).strip(" \t\x00")
        self._line.clear()
        if not text:  # blank line: end of document, if one is in progress
            return self._emit()
        if not self._lines and _is_noise_line(text):
            self._skipped += raw  # before any MRZ line: power-up chatter, not a document
            self._started = 0.0
            return []
        self._lines.append(text)
        shape = tuple(len(x) for x in self._lines)
        if shape in COMPLETE_SHAPES or len(self._lines) >= MAX_LINES:
            return self._emit()
        return []

    def feed(self, data: bytes, now: float) -> list[Frame]:
        out: list[Frame] = []
        for b in data:
            if self._skip_lf and b == LF:
                self._skip_lf = False
                continue
            self._skip_lf = b == CR
            if b in (CR, LF):
                out += self._end_line(now)
                continue
            if not self._started:
                self._started = now
            if len(self._line) < MAX_FRAME_BYTES:
                self._line.append(b)
            else:
                self._overflow = True
        self._last = now
        return out

    def deadline(self) -> float | None:
        if self._lines or self._line or self._overflow:
            return self._last + self.inter_line_timeout_s
        return None

    def poll(self, now: float) -> list[Frame]:
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        out: list[Frame] = []
        if self._line:  # a last line without terminator: take it, it may be the whole MRZ
            out += self._end_line(now)
        out += self._emit()
        return out

    def reset(self) -> list[Frame]:
        cut = bool(self._lines or self._line)
        started = self._started
        self._line.clear()
        self._lines, self._overflow, self._started, self._skip_lf = [], False, 0.0, False
        if cut:
            return [Frame((), "partial frame: the device went away mid-document; present the "
                          "document again", started)]
        return []


class BlockDecoder(FrameDecoder):
    """Shared machinery for framings with explicit start and end bytes."""

    start_byte: ClassVar[int] = STX

    def __init__(self, *, stale_after_s: float = 2.0) -> None:
        super().__init__(stale_after_s=stale_after_s)
        self._buf = bytearray()  # bytes of the frame in progress, from its start byte
        self._in_frame = False
        self._started = 0.0
        self._last = 0.0
        self._noise = bytearray()

    @abstractmethod
    def _complete(self) -> int:
        """Length of a complete frame at the start of `_buf`, or 0 while it is still arriving."""

    @abstractmethod
    def _decode(self, frame: bytes, started: float) -> Frame:
        """Turn one complete frame (start byte .. last byte) into a Frame."""

    def _take_noise(self) -> None:
        noise, self._noise = self._noise, bytearray()
        if _noise(noise):
            self._skipped += len(noise)

    def _partial(self, why: str) -> Frame:
        return Frame((), f"partial frame: {why}; present the document again", self._started)

    def feed(self, data: bytes, now: float) -> list[Frame]:
        out: list[Frame] = []
        self._last = now
        for b in data:
            if not self._in_frame:
                if b == self.start_byte:
                    self._take_noise()
                    self._in_frame, self._started = True, now
                    self._buf = bytearray([b])
                else:
                    if len(self._noise) >= MAX_FRAME_BYTES:
                        self._take_noise()  # count it and keep memory bounded
                    self._noise.append(b)
                continue
            if b == self.start_byte and self._restarts(b):
                out.append(self._partial("a new frame began before the last one ended"))
                self._started = now
                self._buf = bytearray([b])
                continue
            self._buf.append(b)
            size = self._complete()
            if size:
                frame = bytes(self._buf[:size])
                self._in_frame = False
                self._buf = bytearray()
                out.append(self._decode(frame, self._started))
            elif len(self._buf) > MAX_FRAME_BYTES:
                out.append(self._partial("the frame never ended (too long)"))
                self._in_frame = False
                self._buf = bytearray()
        return out

    def _restarts(self, b: int) -> bool:
        """Whether a start byte inside a frame begins a new frame (framings may override)."""
        return True

    def deadline(self) -> float | None:
        if self._in_frame or _noise(self._noise):
            return self._last + self.stale_after_s
        return None

    def poll(self, now: float) -> list[Frame]:
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        out: list[Frame] = []
        if self._in_frame:
            out.append(self._partial("the frame stopped arriving before its end"))
            self._in_frame = False
            self._buf = bytearray()
        self._take_noise()
        return out

    def reset(self) -> list[Frame]:
        out = [self._partial("the device went away mid-frame")] if self._in_frame else []
        self._in_frame = False
        self._buf = bytearray()
        self._noise.clear()
        return out


def _split_lines(text: str) -> list[str]:
    return [x.strip(" \t\x00") for x in re.split(r"\r\n|\r|\n", text)]


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


class RteDecoder(BlockDecoder):
    """3M/Gemalto RTE native blocks with the BCC verified and '_' padding removed."""

    framing = "3m-rte"
    start_byte = SOH
    HEADER = 5  # SOH len_lo len_hi 'O' 'U'

    def _restarts(self, b: int) -> bool:
        # SOH may legitimately appear as a length or BCC byte; only restart in the text part.
        return len(self._buf) > self.HEADER and ETX not in self._buf[self.HEADER:]

    def _complete(self) -> int:
        buf = self._buf
        if len(buf) >= 3:
            length = (buf[1] | (buf[2] << 8)) & 0x3FFF
            if length < self.HEADER + 4 or length > MAX_FRAME_BYTES:
                return len(buf)  # impossible length: decode reports it
        if len(buf) > self.HEADER + 1 and buf[-2] == ETX and ETX not in buf[self.HEADER:-2]:
            return len(buf)
        return 0

    def _decode(self, frame: bytes, started: float) -> Frame:
        length = (frame[1] | (frame[2] << 8)) & 0x3FFF if len(frame) >= 3 else 0
        if len(frame) < self.HEADER + 4 or length != len(frame):
            return Frame((), "garbled frame: the RTE length field does not match the block; "
                         "check the framing setting", started)
        if frame[3:5] != b"OU" or frame[5] != STX:
            return Frame((), "garbled frame: not an RTE optical data block; check the framing "
                         "setting", started)
        bcc = 0
        for b in frame[3:-1]:
            bcc ^= b
        if bcc != frame[-1]:
            return Frame((), "wrong BCC: the frame was damaged on the line; present the "
                         "document again, check the cable and baud rate", started)
        flag, body = frame[6:7], frame[7:-2]
        if any(b < 0x20 and b != CR for b in body):
            return Frame((), "garbled frame: control bytes inside the frame; check the framing "
                         "and baud rate settings", started)
        lines = tuple(x for x in (y.rstrip("_") for y in _split_lines(_printable(body))) if x)
        meta = {"flag": _printable(flag)}
        return Frame(lines, line_problem(lines), started, meta)


def make_decoder(
    framing: str,
    *,
    inter_line_timeout_s: float = 0.3,
    stale_after_s: float = 2.0,
    sod: int | None = None,
    eod: int | None = None,
) -> FrameDecoder:
    """The decoder for a `framing` name; ValueError for an unknown one."""
    if framing == "lines":
        return LinesDecoder(inter_line_timeout_s=inter_line_timeout_s,
                            stale_after_s=stale_after_s)
    if framing == "stx-etx":
        return StxEtxDecoder(stale_after_s=stale_after_s)
    if framing == "3m-rte":
        return RteDecoder(stale_after_s=stale_after_s)
    if framing == "desko-cute":
        return DeskoCuteDecoder(sod=sod, eod=eod, stale_after_s=stale_after_s)
    raise ValueError(f"unknown framing {framing!r}; use one of: {', '.join(FRAMINGS)}")


def rte_block(lines: Sequence[str], *, flag: bytes = b"0", bcc_delta: int = 0) -> bytes:
    """An RTE block as a reader sends it (3 rows, '_' padding, top rows empty when missing)."""
    width = 30 if len(lines) >= 3 else 44
    rows = ["", "", ""][: max(0, 3 - len(lines))] + list(lines)[-3:]
    text = "".join((r + "_" * (width - len(r)) if r else "") + "\r" for r in rows)
    body = b"OU" + bytes([STX]) + flag[:1] + text.encode("ascii", "replace") + bytes([ETX])
    length = 3 + len(body) + 1
    bcc = 0
    for b in body:
        bcc ^= b
    return bytes([SOH, length & 0xFF, (length >> 8) & 0x3F]) + body + bytes([bcc ^ bcc_delta])


def encode(lines: Sequence[str], framing: str, *, eol: str = "\r\n") -> bytes:
    """The bytes a reader of this framing sends for `lines` (used by the simulator and tests)."""
    data = [line.encode("ascii", "replace") for line in lines]
    if framing == "lines":
        return b"".join(x + eol.encode() for x in data)
    if framing == "stx-etx":
        return bytes([STX]) + b"\r".join(data) + bytes([CR, ETX])
    if framing == "desko-cute":
        return (bytes([DESKO_SOD, STX]) + b"".join(x + b"\r" for x in data)
                + bytes([ETX, DESKO_EOD]))
    if framing == "3m-rte":
        return rte_block(lines)
    raise ValueError(f"unknown framing {framing!r}; use one of: {', '.join(FRAMINGS)}")
