"""What every serial MRZ framing shares: the `Frame` a decoder returns, the `FrameDecoder`
interface, the control bytes and limits, and the checks on decoded lines. See drivers/framing.py.
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


def _split_lines(text: str) -> list[str]:
    return [x.strip(" \t\x00") for x in re.split(r"\r\n|\r|\n", text)]
