"""The ``lines`` framing: CR/LF-terminated MRZ lines, a document ends when complete, on an empty
line, or after `inter_line_timeout_s` of silence. See drivers/framing.py.
"""

from __future__ import annotations

from drivers.framing_base import (
    COMPLETE_SHAPES,
    CR,
    LF,
    MAX_FRAME_BYTES,
    MAX_LINES,
    Frame,
    FrameDecoder,
    _is_noise_line,
    _printable,
    line_problem,
)


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
