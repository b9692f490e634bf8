"""Multi-frame fusion for live video: accumulate per-character evidence over frames.

Each frame's per-cell log-probabilities (same layout: same document type and line length) are
summed over a sliding window, and the sum is decoded with the check-digit search. A document is
accepted only when
  * every check digit of the fused reading passes, and
  * the unchecked fields (names, nationality, issuer, sex) of the fused reading equal those read
    in at least `frames_to_agree` individual frames of the window (they are stable),
so one lucky or unlucky frame cannot decide a name. Frames with no MRZ count towards a reset
(the document was taken away); a different document (another layout) restarts the window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ocr.accept import judge
from ocr.decode import LAYOUTS, Decoded, Layout, decode, layout_for
from ocr.reader import MAX_CORRECTIONS, SURE_ZONE_LOGP, OcrResult, acceptable

CHANGED_FRACTION = 0.3  # more characters than this differ from the last frame: a new document


@dataclass(frozen=True, slots=True)
class FusedResult:
    """A document from several frames: accepted, or (failed_checks not empty) read surely with
    printed check digits that fail, to be shown as read with the failing checks named."""

    lines: tuple[str, ...] = field(repr=False)
    confidence: float
    field_confidence: dict[str, float]
    frames: int  # frames whose evidence was fused
    agreeing: int  # frames whose own unchecked fields equal the fused ones
    doc_type: str
    failed_checks: tuple[str, ...] = ()


def _unchecked(lines: tuple[str, ...] | list[str], doc_type: str) -> tuple[str, ...]:
    lay = LAYOUTS.get(doc_type) or layout_for(len(lines), len(lines[0]))
    if lay is None:
        return tuple(lines)
    return tuple("".join(lines[k][i] for k, i in pos) for _n, pos in lay.unchecked)


class MrzFusion:
    """Feed every frame's OcrResult to add(); it returns a FusedResult once a document is sure."""

    def __init__(
        self, frames_to_agree: int = 2, window: int = 8, reset_after_missing: int = 5
    ) -> None:
        self.frames_to_agree = max(1, frames_to_agree)
        self.window = max(self.frames_to_agree, window)
        self.reset_after_missing = reset_after_missing
        self._frames: deque[tuple[tuple[NDArray[np.float32], ...], tuple[str, ...]]] = deque(
            maxlen=self.window
        )
        self._shape: tuple[int, int] | None = None
        self._missing = 0
        self._last_lines: tuple[str, ...] | None = None
        self._plain: deque[tuple[str, ...]] = deque(maxlen=self.window)
        self.last: FusedResult | None = None

    def reset(self) -> None:
        self._frames.clear()
        self._plain.clear()
        self._shape = None
        self._missing = 0

    @property
    def frames(self) -> int:
        return len(self._frames)

    def add(self, result: OcrResult) -> FusedResult | None:
        """Add one frame; return the fused document when accepted, else None."""
        if result.lines is not None and result.cell_log_probs is None:
            return self._add_plain(result)
        if result.lines is None or result.cell_log_probs is None or result.doc_type is None:
            self._missing += 1
            if self._missing >= self.reset_after_missing:
                self.reset()
            return None
        self._missing = 0
        shape = (len(result.lines), len(result.lines[0]))
        if shape != self._shape or self._changed(result.lines):
            self.reset()
            self._shape = shape
        self._last_lines = result.lines
        self._frames.append((result.cell_log_probs, _unchecked(result.lines, result.doc_type)))
        return self._fuse(result.doc_type)

    def _changed(self, lines: tuple[str, ...]) -> bool:
        """Another document of the same layout: most characters differ from the last frame."""
        if self._last_lines is None or not self._frames:
            return False
        a, b = "".join(self._last_lines), "".join(lines)
        return sum(x != y for x, y in zip(a, b, strict=False)) > CHANGED_FRACTION * len(a)

    def _add_plain(self, result: OcrResult) -> FusedResult | None:
        """A backend without per-cell scores (PassportEye): accept the same valid lines seen in
        `frames_to_agree` frames of the window."""
        assert result.lines is not None
        self._missing = 0
        key = result.lines if result.valid else ("",)
        self._plain.append(key)
        same = sum(1 for k in self._plain if k == key)
        if not result.valid or same < self.frames_to_agree:
            return None
        self.last = FusedResult(
            result.lines,
            result.confidence,
            dict(result.field_confidence),
            len(self._plain),
            same,
            result.doc_type or "",
        )
        return self.last

    def _fuse(self, doc_type: str) -> FusedResult | None:
        assert self._shape is not None
        n = len(self._frames)
        summed = [
            np.sum([f[0][k] for f in self._frames], axis=0) for k in range(self._shape[0])
        ]
        # summed log-probabilities are over-confident (frames are not independent): temper them
        temper = 1.0 / np.sqrt(n)
        fused = [(s * temper).astype(np.float32) for s in summed]
        lay = layout_for(*self._shape, fused)
        if lay is None:
            return None
        dec = decode(lay, fused)
        if not (dec.valid and dec.cost <= MAX_CORRECTIONS):
            return self._printed_as_is(lay, fused, dec)
        if not acceptable(dec.valid, dec.checks_confidence, dec.field_confidence, dec.cost):
            return None
        verdict = judge(lay, fused, dec.lines)  # the same unchecked-field rules as one frame
        if verdict.blocking or verdict.failed_checks:
            return None
        target = _unchecked(dec.lines, lay.doc_type)
        agreeing = sum(1 for _lp, u in self._frames if u == target)
        if agreeing < self.frames_to_agree:
            return None
        self.last = FusedResult(
            lines=tuple(dec.lines),
            confidence=round(dec.confidence, 4),
            field_confidence={k: round(v, 4) for k, v in dec.field_confidence.items()},
            frames=n,
            agreeing=agreeing,
            doc_type=lay.doc_type,
        )
        return self.last

    def _printed_as_is(
        self, lay: Layout, fused: list[NDArray[np.float32]], dec: Decoded
    ) -> FusedResult | None:
        """A zone read surely in every way but its check digits: the printed digits are wrong
        (a forgery indicator). Returned as read once `frames_to_agree` frames read it alike."""
        if dec.mean_logp <= SURE_ZONE_LOGP:
            return None
        verdict = judge(lay, fused, dec.plain)
        if not verdict.failed_checks or verdict.blocking:
            return None
        target = _unchecked(dec.plain, lay.doc_type)
        agreeing = sum(1 for _lp, u in self._frames if u == target)
        if agreeing < self.frames_to_agree:
            return None
        self.last = FusedResult(
            lines=tuple(dec.plain),
            confidence=0.0,
            field_confidence={k: round(v, 4) for k, v in dec.field_confidence.items()},
            frames=len(self._frames),
            agreeing=agreeing,
            doc_type=lay.doc_type,
            failed_checks=verdict.failed_checks,
        )
        return self.last
