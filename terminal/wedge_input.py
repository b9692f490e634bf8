"""Keyboard-wedge input for the UI: every MRZ-alphabet key goes to a `drivers.wedge.WedgeReader`
(the reader the contract tests run on), which recognises a reader's burst and makes the
DocumentRead; keys that may belong to a burst are held back, and given back to the screen, in
order, as soon as it is clear a person typed them. No textual import.

A USB "keyboard wedge" reader types a line in well under a second (a few ms per key); a person
types a key every 100+ ms. MRZ-alphabet keys are held for at most `max_key_gap_s` (50 ms)
after the last one, so a person sees their keystroke that much later and never loses one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from drivers.base import DocumentRead
from drivers.wedge import LINE_CHARS, WedgeReader

E = TypeVar("E")


@dataclass(slots=True)
class WedgeOutcome(Generic[E]):
    replay: list[E] = field(default_factory=list)  # events to hand back to the screen, in order
    consumed: bool = False  # the current event belongs to a burst: do not forward it
    document: DocumentRead | None = None  # a complete MRZ typed by a reader
    partial: bool = False  # a burst of whole lines stopped before the document was complete


class WedgeFilter(Generic[E]):
    """Feed every key with its arrival time (monotonic seconds) and act on the outcome."""

    def __init__(self, reader: WedgeReader | None = None) -> None:
        self.reader = reader or WedgeReader(name="keyboard reader")
        self.recogniser = self.reader.recogniser
        self._held: list[E] = []
        self._lines = 0  # whole lines accepted in the current burst
        self._last_t = 0.0

    @property
    def pending(self) -> bool:
        return bool(self._held or self._lines)

    def deadline(self) -> float:
        """When `flush` is due if no key comes (monotonic seconds)."""
        r = self.recogniser
        return self._last_t + (r.max_key_gap_s if self._held else r.max_line_gap_s)

    def key(self, key: str, character: str | None, t: float, event: E) -> WedgeOutcome[E]:
        out: WedgeOutcome[E] = WedgeOutcome()
        if self.pending and t > self.deadline():
            self._give_back(out)
        char = character if character and len(character) == 1 else ""
        if char and char in LINE_CHARS:
            self.reader.feed_key(char, t)
            self._held.append(event)
            self._last_t = t
            out.consumed = True
            return out
        if key == "enter" and self._held:
            if self.reader.feed_key("enter", t) is not None:
                self._held.clear()
                self._lines = 0
                out.document = self.reader.read(0)  # queued by feed_key
                out.consumed = True
                return out
            if self.recogniser.in_burst(t):  # a whole line: wait for the next one
                self._held.clear()
                self._lines += 1
                self._last_t = t
                out.consumed = True
                return out
        self._give_back(out)
        return out

    def flush(self, t: float) -> WedgeOutcome[E]:
        """Call at `deadline()`: give held keys back (a person typed them)."""
        out: WedgeOutcome[E] = WedgeOutcome()
        if self.pending and t >= self.deadline():
            self._give_back(out)
        return out

    def _give_back(self, out: WedgeOutcome[E]) -> None:
        if self._lines:
            out.partial = True  # keys of a reader's burst are never typed into a field
            self._held.clear()
        out.replay.extend(self._held)
        self._held.clear()
        self._lines = 0
        self.recogniser.reset()
