"""Keyboard-wedge readers: USB HID readers that *type* the MRZ, one keystroke per character.

The terminal UI feeds every keystroke with its monotonic time into a `WedgeRecogniser`; it
answers with the document once it has seen MRZ lines (30, 36 or 44 characters of [A-Z0-9<],
each ending with Enter) arrive as a machine-speed burst. A person typing is far slower (rarely
under 60 ms between keys, never 30 keys in a row under 50 ms each), so the officer's own typing
is never taken for a reader. `WedgeReader` wraps it as a DocumentReader: the booth's keyboard
(terminal/wedge_input.WedgeFilter) feeds it every MRZ-alphabet key and takes the DocumentRead it
queues, so the booth and the reader contract tests run the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.base import DocumentRead, DocumentReader, ReaderStatus, ReadQueue
from drivers.framing import COMPLETE_SHAPES, Frame, line_problem

ENTER = frozenset({"\r", "\n", "enter"})
LINE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<?*")
LENGTHS = frozenset({30, 36, 44})


@dataclass(frozen=True, slots=True)
class WedgeResult:
    """A typed MRZ: its lines, or `error` when the reader typed unreadable characters."""

    lines: tuple[str, ...] = field(repr=False)
    error: str | None
    started: float  # monotonic time of the first keystroke
    finished: float  # monotonic time of the last Enter

    @property
    def keystrokes(self) -> int:
        """Keys the burst took (characters and Enters): what the UI removes from a text field
        that received them before the burst was recognised."""
        return sum(len(line) + 1 for line in self.lines)


class WedgeRecogniser:
    """Recognise an MRZ typed as a fast keystroke burst.

    `max_key_gap_s`: longest pause between keys within a line (readers: 1-20 ms).
    `max_line_gap_s`: longest pause between one line's Enter and the next line's first key.
    `max_mean_gap_s`: a line must average at most this per key.
    """

    def __init__(self, *, max_key_gap_s: float = 0.05, max_line_gap_s: float = 0.5,
                 max_mean_gap_s: float = 0.03) -> None:
        self.max_key_gap_s = max_key_gap_s
        self.max_line_gap_s = max_line_gap_s
        self.max_mean_gap_s = max_mean_gap_s
        self.reset()

    def reset(self) -> None:
        self._line: list[str] = []
        self._line_start = 0.0
        self._lines: list[str] = []
        self._started = 0.0
        self._last = 0.0

    def in_burst(self, now: float) -> bool:
        """True while a burst is being collected (the UI may hold these keys back)."""
        if not (self._line or self._lines):
            return False
        gap = self.max_key_gap_s if self._line else self.max_line_gap_s
        return now - self._last <= gap

    def feed(self, char: str, t: float) -> WedgeResult | None:
        """One keystroke (a character, or "\\r"/"\\n"/"enter") at monotonic time `t`."""
        if self._line or self._lines:
            gap = self.max_key_gap_s if self._line else self.max_line_gap_s
            if t - self._last > gap:
                self.reset()
        if char in ENTER:
            return self._end_line(t)
        key = char.upper() if len(char) == 1 else ""
        if key not in LINE_CHARS:
            self.reset()
            return None
        if not self._line:
            self._line_start = t
            if not self._lines:
                self._started = t
        self._line.append(key)
        self._last = t
        if len(self._line) > max(LENGTHS):
            self.reset()
        return None

    def _end_line(self, t: float) -> WedgeResult | None:
        line = "".join(self._line)
        keys = len(self._line)
        self._line = []
        self._last = t
        if keys not in LENGTHS or (t - self._line_start) / keys > self.max_mean_gap_s:
            self.reset()
            return None
        self._lines.append(line)
        shape = tuple(len(x) for x in self._lines)
        if shape in COMPLETE_SHAPES:
            lines, started = tuple(self._lines), self._started
            self.reset()
            return WedgeResult(lines, line_problem(lines), started, t)
        if not any(s[: len(shape)] == shape for s in COMPLETE_SHAPES):
            self.reset()
        return None


class WedgeReader(DocumentReader):
    """A DocumentReader over keystrokes the UI forwards with `feed_key(char, t)`."""

    source = "wedge"

    def __init__(self, config: object = None, name: str = "wedge") -> None:
        super().__init__(name)
        self.recogniser = WedgeRecogniser()
        self._reads = ReadQueue()
        self._set_state(ReaderStatus.CONNECTED, "keyboard wedge: scan a document")

    def feed_key(self, char: str, t: float) -> WedgeResult | None:
        """Forward one keystroke at monotonic time `t`. When it completes a document, the
        DocumentRead is queued for read() and the WedgeResult returned (else None)."""
        from drivers.serial_mrz import document_read

        result = self.recogniser.feed(char, t)
        if result is not None:
            frame = Frame(result.lines, result.error, result.started)
            self._reads.put(document_read(self.source, self.name, frame, now=result.finished))
        return result

    def read(self, timeout: float | None = None) -> DocumentRead | None:
        if self.closed:
            return None
        return self._reads.take(timeout)

    def _close(self) -> None:
        self._reads.wake()
        self._set_state(ReaderStatus.DISCONNECTED, "closed")
