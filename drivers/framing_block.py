"""What the block framings (``stx-etx``, ``desko-cute``, ``3m-rte``) share: collect bytes from
a start byte until the subclass says the block is complete, bounded and with timeouts.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from drivers.framing_base import (
    MAX_FRAME_BYTES,
    STX,
    Frame,
    FrameDecoder,
    _noise,
)


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
