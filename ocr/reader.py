"""Read the MRZ in one camera frame: locate -> rectify -> classify cells -> decode.

    result = read_mrz_image("frame.jpg")        # or a BGR / grayscale numpy array
    if result.accepted: ...result.lines...

`valid` means every check digit passes; `accepted` additionally requires the reading to be
unambiguous and the unchecked fields (names, nationality, sex, issuer) to be well read and
well formed (ocr/accept.py). Whenever a zone is found `lines` holds what was read, also when
checks fail: then `failed_checks` names them (a wrong printed check digit is a forgery
indicator for the officer, never a silent "no MRZ"). A frame without an MRZ returns
lines=None in a few tens of milliseconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.accept import Judgement, disagreements, judge
from ocr.classify import CellClassifier, default_classifier
from ocr.decode import LAYOUTS, Decoded, decode, layout_for
from ocr.locate import LOCATE_PASSES, candidates
from ocr.rectify import Grid, cut_cells, grids, warp
from ocr.views import View, brightest, views
from ocr.zone import inside, truncated

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)

ACCEPT_CONFIDENCE = 0.5  # checked fields x margin below this: a valid reading is not accepted
ACCEPT_FIELD_CONFIDENCE = 0.7  # an unchecked field below this: not accepted (see docs/ocr.md)
LOW_FIELD_CONFIDENCE = 0.9  # unchecked fields under this are flagged for the officer
MAX_CORRECTIONS = 3.0  # nats: check digits may repair a reading, not rewrite it
UNCHECKED_FIELDS = ("names", "nationality", "issuing_state", "sex", "document_code")
MAX_CANDIDATES = 4
# A reading whose cells average this log-probability is the zone as printed even when its
# checks fail (a wrong printed check digit): no fallback view can read it better.
SURE_ZONE_LOGP = -0.01
MAX_GRIDS = 8
MAX_DECODES = 32  # grids read per frame at most (see _Budget)
VIEW_DECODES = 16  # of which one view reads at most


@dataclass(frozen=True, slots=True)
class OcrResult:
    """One frame's reading. `lines` is the best reading even when not valid (None: no MRZ seen)."""

    lines: tuple[str, ...] | None = field(default=None, repr=False)
    valid: bool = False
    confidence: float = 0.0  # 0..1, for the whole MRZ
    field_confidence: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    checks_confidence: float = 0.0  # 0..1, the check-digit-covered fields and the margin
    corrections: float = 0.0  # log-probability given up by the substitutions the checks forced
    doc_type: str | None = None
    cell_log_probs: tuple[NDArray[np.float32], ...] | None = field(
        default=None, repr=False, compare=False
    )
    failed_checks: tuple[str, ...] = ()  # check digits failing on `lines` (empty when valid)
    unsure: tuple[tuple[int, int], ...] = ()  # 1-based (line, column) to verify by eye
    blocking: tuple[str, ...] = ()  # unchecked fields that stop acceptance
    rotation: int = 0  # how the document lies in the frame: 0, 90, 180, 270 deg counterclockwise

    @property
    def accepted(self) -> bool:
        """Valid, unambiguous and with well-read unchecked fields: safe to show as read."""
        return not self.blocking and acceptable(
            self.valid, self.checks_confidence, self.field_confidence, self.corrections
        )

    @property
    def low_confidence_fields(self) -> tuple[str, ...]:
        """Unchecked fields the officer should verify by eye."""
        return tuple(
            k for k in UNCHECKED_FIELDS if self.field_confidence.get(k, 1.0) < LOW_FIELD_CONFIDENCE
        )


def acceptable(
    valid: bool, checks_confidence: float, field_confidence: dict[str, float], corrections: float
) -> bool:
    """The acceptance rule shared by single frames and fusion."""
    return (
        valid
        and corrections <= MAX_CORRECTIONS
        and checks_confidence >= ACCEPT_CONFIDENCE
        and all(field_confidence.get(k, 1.0) >= ACCEPT_FIELD_CONFIDENCE for k in UNCHECKED_FIELDS)
    )


def _load(image: Img | str | Path) -> tuple[Img, Img | None]:
    """(grey, BGR or None). A path is decoded once, in colour: the colour views need it."""
    if isinstance(image, (str, Path)):
        bgr = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if bgr is None:
            raise ValueError("cannot read the image file (missing, or not an image)")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), bgr
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), image
    return image, None


@dataclass(slots=True)
class _Reading:
    dec: Decoded
    lps: list[NDArray[np.float32]]
    flipped: bool
    grid: Grid

    def __getitem__(self, i: int) -> Any:  # (dec, lps, flipped), as the search compares them
        return (self.dec, self.lps, self.flipped)[i]


def _rank(d: Decoded) -> tuple[bool, float, float]:
    return (d.valid, d.confidence, d.mean_logp)


class _Budget:
    """Grids a frame may still classify and decode: bounds the time of frames that read
    nothing valid (every fallback view and locator pass), without touching the cheap path."""

    def __init__(self, decodes: int = MAX_DECODES) -> None:
        self.decodes = decodes


def _read_upright(view: View, clf: CellClassifier, budget: _Budget) -> _Reading | None:
    """Best decoding over candidates and grids of a view (text roughly horizontal), and
    whether it was read upside down."""
    best: _Reading | None = None
    for locate_pass in LOCATE_PASSES:
        if budget.decodes <= 0:
            break
        got = _read_at(view, clf, locate_pass, budget)
        if got is not None and (best is None or _rank(got[0]) > _rank(best[0])):
            best = got
        if best is not None and _done(best[0]):
            break
    return best


def _done(dec: Decoded) -> bool:
    return dec.valid or dec.mean_logp > SURE_ZONE_LOGP


def _read_at(
    view: View, clf: CellClassifier, locate_pass: tuple[int, bool], budget: _Budget
) -> _Reading | None:
    best: _Reading | None = None
    for cand in candidates(view.blobs(locate_pass))[:MAX_CANDIDATES]:
        gray = view.image
        for grid in grids(cand)[:MAX_GRIDS]:
            if layout_for(len(grid.line_y), grid.length) is None or not inside(grid, gray.shape):
                continue
            if budget.decodes <= 0:
                return best
            canon = warp(gray, grid)
            for flipped in (False, True):
                budget.decodes -= 1
                img = canon[::-1, ::-1] if flipped else canon
                lps = list(clf.log_probs(cut_cells(np.ascontiguousarray(img), grid)))
                lay = layout_for(len(grid.line_y), grid.length, lps)
                assert lay is not None
                dec = decode(lay, lps)
                if dec.valid and truncated(gray, grid, glare_guard=dec.doc_type == "MRVB"):
                    continue  # a shorter layout over a longer zone: not this grid
                if best is None or _rank(dec) > _rank(best[0]):
                    best = _Reading(dec, lps, flipped, grid)
                if dec.valid:
                    break  # the right way up reads; upside down cannot also be valid
            if best is not None and best[0].valid and best[0].confidence >= 0.95:
                return best
    return best


def read_mrz_image(
    image: Img | str | Path, *, classifier: CellClassifier | None = None
) -> OcrResult:
    """Read one frame (path, BGR or grayscale array). Never raises for an unreadable frame;
    raises ValueError only when a path cannot be loaded as an image. At most MAX_DECODES
    grids are read per frame (about 0.3 s on this machine's core when nothing reads)."""
    t0 = time.perf_counter()
    gray, bgr = _load(image)
    clf = classifier or default_classifier()
    best: _Reading | None = None
    rotation = 0
    view_of_best: Img = gray
    budget = _Budget()
    for view in views(gray, bgr):
        # one view may not spend the whole budget: a red stamp that makes the grey view's
        # locator propose many grids must leave the brightest-channel view its turn
        share = _Budget(min(VIEW_DECODES, budget.decodes))
        got = _read_upright(view, clf, share)
        budget.decodes -= min(VIEW_DECODES, budget.decodes) - share.decodes
        if got is not None and (best is None or _rank(got[0]) > _rank(best[0])):
            best = got
            rotation = (view.rotation + (180 if got.flipped else 0)) % 360
            view_of_best = view.image
        if (best is not None and _done(best[0])) or budget.decodes <= 0:
            break
    if best is None:
        return OcrResult(seconds=time.perf_counter() - t0)
    result = _result(best, rotation, view_of_best, bgr, gray, clf, t0)
    if result.valid and not result.accepted and bgr is not None and view_of_best is gray:
        # read right but a cell of an unchecked field is unsure: on a colour frame that is
        # often coloured print over it (a stamp's line turns H into N); read the brightest
        # channel, where it vanishes, under the same rule
        bright = View(0, lambda: brightest(bgr))
        share = _Budget(min(VIEW_DECODES, budget.decodes))
        got = _read_upright(bright, clf, share)
        if got is not None and got.dec.valid:
            alt = _result(got, 180 if got.flipped else 0, bright.image, None, gray, clf, t0)
            if alt.accepted:
                return alt
    return result


def _result(
    best: _Reading,
    rotation: int,
    view_of_best: Img,
    bgr: Img | None,
    gray: Img,
    clf: CellClassifier,
    t0: float,
) -> OcrResult:
    """The frame's answer from its best reading: lines, checks, unsure cells, blocking fields."""
    dec, lps = best.dec, best.lps
    lay = LAYOUTS[dec.doc_type]
    repaired = dec.valid and dec.cost <= MAX_CORRECTIONS
    # checks that pass only after rewriting the reading are no evidence: show what is printed
    lines = dec.lines if repaired or not dec.valid else dec.plain
    verdict: Judgement = judge(lay, lps, lines)
    if repaired and not verdict.blocking:
        verdict = _second_view(bgr, gray, view_of_best, best, lines, clf, verdict)
    return OcrResult(
        lines=tuple(lines),
        valid=dec.valid and not verdict.failed_checks,
        confidence=round(dec.confidence, 4),
        checks_confidence=round(dec.checks_confidence, 4),
        corrections=round(dec.cost, 3) if dec.valid else 0.0,
        field_confidence={k: round(v, 4) for k, v in dec.field_confidence.items()},
        seconds=time.perf_counter() - t0,
        doc_type=dec.doc_type,
        cell_log_probs=tuple(lps),
        failed_checks=verdict.failed_checks,
        unsure=verdict.unsure,
        blocking=verdict.blocking,
        rotation=rotation,
    )


def _second_view(
    bgr: Img | None,
    gray: Img,
    view: Img,
    best: _Reading,
    lines: list[str],
    clf: CellClassifier,
    verdict: Judgement,
) -> Judgement:
    """Unchecked fields read again on the brightest colour channel, where coloured print over
    the zone (a stamp) vanishes: a letter it reads otherwise is unsure (a stamp's line under an
    O reads as Q). Only for colour frames read on the grey view; one warp, a few ms."""
    if view is not gray or bgr is None:
        return verdict
    grid = best.grid
    w, h = grid.size
    corners = cv2.perspectiveTransform(
        np.array([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]], np.float32), grid.H
    ).reshape(-1, 2)
    x0, y0 = np.maximum(np.floor(corners.min(0)).astype(int) - 2, 0)
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
    roi = brightest(np.ascontiguousarray(bgr[y0:y1, x0:x1]))  # the zone only: cheap
    full = gray.copy()
    full[y0:y1, x0:x1] = roi
    canon = warp(full, grid)
    img = canon[::-1, ::-1] if best.flipped else canon
    lps = list(clf.log_probs(cut_cells(np.ascontiguousarray(img), best.grid)))
    return disagreements(LAYOUTS[best.dec.doc_type], lps, lines, verdict)


def read_lines(path: str) -> list[str] | None:
    """Scorer entry point (shared/tools/score_mrz_reader.py): accepted lines or None."""
    r = read_mrz_image(path)
    return list(r.lines) if r.accepted and r.lines else None


def read_lines_valid(path: str) -> list[str] | None:
    """Scorer entry point without the confidence gate: any reading whose check digits pass."""
    r = read_mrz_image(path)
    return list(r.lines) if r.valid and r.lines else None
