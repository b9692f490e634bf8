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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.accept import Judgement, disagreements, judge
from ocr.classify import CellClassifier, default_classifier
from ocr.decode import LAYOUTS, Decoded, decode, layout_for
from ocr.locate import LOCATE_PASSES, find_candidates
from ocr.rectify import CELL_H, MARGIN, PITCH, Grid, cut_cells, grids, warp

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


def _brightest(bgr: Img) -> Img:
    """Per pixel the brightest channel: coloured print (a red or blue stamp) turns light,
    dark ink stays dark."""
    b, g, r = cv2.split(bgr)
    out: Img = cv2.max(cv2.max(b, g), r)
    return out


def _inside(grid: Grid, shape: tuple[int, ...]) -> bool:
    """Every cell of the grid lies inside the frame: a glyph cut by the frame edge can read as
    anything, and a partly visible MRZ must never be completed by guesswork."""
    xs = [MARGIN + (i + 0.5) * PITCH for i in (0, grid.length - 1)]
    pts = np.array(
        [
            [[x, y + dy]]
            for x in xs
            for y in (grid.line_y[0], grid.line_y[-1])
            for dy in (-CELL_H / 2, CELL_H / 2)
        ],
        np.float32,
    )
    img = cv2.perspectiveTransform(pts, grid.H).reshape(-1, 2)
    h, w = shape[:2]
    return bool(
        np.all(img[:, 0] >= 0)
        and np.all(img[:, 0] < w)
        and np.all(img[:, 1] >= 0)
        and np.all(img[:, 1] < h)
    )


GLARE = 250  # grey level of paper burnt out by glare


def _truncated(gray: Img, grid: Grid) -> bool:
    """True when every line of the grid goes on past its last cell (or before its first) with
    glyph-like ink, or a short layout ends in burnt-out glare: the grid may be a shorter layout
    laid over a longer zone (a TD3 read as TD2 when its fillers were too small to be found),
    whose checks can pass by chance."""
    extra = 2 * PITCH
    w, h = grid.size
    T = np.array([[1, 0, -extra], [0, 1, 0], [0, 0, 1]], np.float64)
    fill = float(np.median(gray))
    wide = cv2.warpPerspective(
        gray, grid.H @ T, (w + 2 * extra, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )  # fmt: skip

    def contrast(k: int, i: int) -> float:
        x0 = int(round(extra + MARGIN + i * PITCH))
        y0 = int(round(grid.line_y[k] - CELL_H / 2))
        cell = wide[max(0, y0) : y0 + CELL_H, max(0, x0) : x0 + PITCH]
        if cell.size == 0:
            return 0.0
        lo, hi = np.percentile(cell, (5, 95))
        return float(hi - lo)

    def paper(k: int, i: int) -> float:
        x0 = int(round(extra + MARGIN + i * PITCH))
        y0 = int(round(grid.line_y[k] - CELL_H / 2))
        cell = wide[max(0, y0) : y0 + CELL_H, max(0, x0) : x0 + PITCH]
        return float(np.percentile(cell, 90)) if cell.size else 0.0

    n = grid.length
    lines = range(len(grid.line_y))
    # glare burnt out at an end of a short layout: the zone may go on under it (an MRV-A whose
    # last fillers vanish in glare reads as a complete MRV-B)
    if n < 44 and any(paper(k, i) >= GLARE for k in lines for i in (n - 1, n, -1, 0)):
        return True
    for side in ((n, n + 1), (-2, -1)):
        if all(
            min(contrast(k, i) for i in side)
            > 0.5 * float(np.median([contrast(k, i) for i in range(0, n, 3)]))
            for k in lines
        ):
            return True
    return False


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


def _read_upright(
    gray: Img, clf: CellClassifier
) -> _Reading | None:
    """Best decoding over candidates and grids of a frame (text roughly horizontal), and
    whether it was read upside down."""
    best: _Reading | None = None
    for locate_pass in LOCATE_PASSES:
        got = _read_at(gray, clf, locate_pass)
        if got is not None and (best is None or _rank(got[0]) > _rank(best[0])):
            best = got
        if best is not None and _done(best[0]):
            break
    return best


def _done(dec: Decoded) -> bool:
    return dec.valid or dec.mean_logp > SURE_ZONE_LOGP


def _read_at(
    gray: Img, clf: CellClassifier, locate_pass: tuple[int, bool]
) -> _Reading | None:
    best: _Reading | None = None
    for cand in find_candidates(gray, locate_pass=locate_pass)[:MAX_CANDIDATES]:
        for grid in grids(cand)[:MAX_GRIDS]:
            if layout_for(len(grid.line_y), grid.length) is None or not _inside(grid, gray.shape):
                continue
            canon = warp(gray, grid)
            for flipped in (False, True):
                img = canon[::-1, ::-1] if flipped else canon
                lps = list(clf.log_probs(cut_cells(np.ascontiguousarray(img), grid)))
                lay = layout_for(len(grid.line_y), grid.length, lps)
                assert lay is not None
                dec = decode(lay, lps)
                if dec.valid and _truncated(gray, grid):
                    continue  # a shorter layout over a longer zone: not this grid
                if best is None or _rank(dec) > _rank(best[0]):
                    best = _Reading(dec, lps, flipped, grid)
                if dec.valid:
                    break  # the right way up reads; upside down cannot also be valid
            if best is not None and best[0].valid and best[0].confidence >= 0.95:
                return best
    return best


# Fallback views, tried in this order only while nothing valid is read (an upright document
# costs nothing more). `rotation` is how the document lies in the frame, degrees counterclockwise.
_TURNS = ((90, cv2.ROTATE_90_CLOCKWISE), (270, cv2.ROTATE_90_COUNTERCLOCKWISE))
SMALL_SIDE = 1280  # frames up to this size are also read at 2x (thumbnails: 5-8 px glyphs)


def _views(bgr: Img | None, gray: Img) -> Iterator[tuple[int, Img]]:
    """(rotation, grey view) pairs: as given, turned a quarter either way, with coloured print
    removed (a red or blue stamp over the zone: the brightest channel keeps only dark ink),
    enlarged."""
    yield 0, gray
    for degrees, code in _TURNS:
        yield degrees, cv2.rotate(gray, code)
    if bgr is not None:
        yield 0, _brightest(bgr)
    if max(gray.shape[:2]) <= SMALL_SIDE:
        yield 0, cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)


def read_mrz_image(
    image: Img | str | Path, *, classifier: CellClassifier | None = None
) -> OcrResult:
    """Read one frame (path, BGR or grayscale array). Never raises for an unreadable frame;
    raises ValueError only when a path cannot be loaded as an image."""
    t0 = time.perf_counter()
    gray, bgr = _load(image)
    clf = classifier or default_classifier()
    best: _Reading | None = None
    rotation = 0
    view_of_best: Img = gray
    for degrees, view in _views(bgr, gray):
        got = _read_upright(view, clf)
        if got is not None and (best is None or _rank(got[0]) > _rank(best[0])):
            best, rotation, view_of_best = got, (degrees + (180 if got[2] else 0)) % 360, view
        if best is not None and _done(best[0]):
            break
    secs = time.perf_counter() - t0
    if best is None:
        return OcrResult(seconds=secs)
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
    roi = _brightest(np.ascontiguousarray(bgr[y0:y1, x0:x1]))  # the zone only: cheap
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
