"""Find MRZ candidates in a camera frame: glyph blobs -> text lines -> 2-3 line bands.

The MRZ is fixed-pitch OCR-B, and every position carries a printed glyph (fillers are '<'),
so a line is a straight chain of 30/36/44 similar blobs at a near-constant spacing. Perspective
keeps straight lines straight, so this works under rotation (+-15 deg and more) and tilt, and
it does not depend on the character size (10-60 px cap height).

Pure numpy + OpenCV; no personal data is ever logged here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)

FloatArray = NDArray[np.float64]

MIN_GLYPH_PX = 7  # smallest cap height we try to read (px in the working image)
MAX_GLYPH_PX = 90
MIN_LINE_GLYPHS = 14  # a chain shorter than this is not an MRZ line (or only part of one)


@dataclass(slots=True, eq=False)
class TextLine:
    """A chain of glyph blobs, left to right. `centers` is (n, 2) in working-image pixels."""

    centers: FloatArray
    heights: FloatArray
    direction: FloatArray = field(default_factory=lambda: np.array([1.0, 0.0]))

    @property
    def n(self) -> int:
        return len(self.centers)

    @property
    def height(self) -> float:
        return float(np.median(self.heights))

    @property
    def full_height(self) -> float:
        """Mean height of the full-size glyphs (letters, digits): blobs within 80 % of the
        line's 90th percentile (a mean: blob heights are whole pixels).

        The plain median is no measure of an MRZ line: a name line is mostly '<' fillers, which
        are much shorter than the letters (issue 15)."""
        tall = self.heights[self.heights >= 0.8 * np.percentile(self.heights, 90)]
        return float(np.mean(tall))

    @property
    def pitch(self) -> float:
        d = np.linalg.norm(np.diff(self.centers, axis=0), axis=1)
        return float(np.median(d)) if len(d) else 0.0

    @property
    def mid(self) -> FloatArray:
        return np.asarray(self.centers.mean(axis=0), dtype=np.float64)


@dataclass(slots=True, eq=False)
class Candidate:
    """2 or 3 text lines, top to bottom, that may be an MRZ."""

    lines: list[TextLine]
    scale: float  # working image = original * scale


# Locator passes (threshold offset in grey levels below the local mean, remove thin lines).
# The first catches faint print. Background print (guilloche, a stamp) crossing the zone joins
# MRZ glyphs into one blob: the second drops lighter print, the third opens away thin
# near-horizontal lines. The reader tries the next pass only while nothing valid is read.
LOCATE_PASSES: tuple[tuple[int, bool], ...] = ((9, False), (28, False), (9, True))


def binarize(gray: Img, offset: int = 9, thin_lines: bool = False) -> Img:
    """Dark ink on a lighter local background -> 255; robust to glare and uneven light.
    `thin_lines`: also remove lines under 3 px thick running roughly horizontally."""
    h, w = gray.shape
    block = max(15, (min(h, w) // 24) | 1)
    binary = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, offset
    )
    if thin_lines:
        binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((3, 1), np.uint8))
    return binary


@dataclass(frozen=True, slots=True)
class Blobs:
    """Ink components of a working image: bounding boxes and areas (n, 5: x, y, w, h, area),
    the working image's (height, width) and its scale to the original frame."""

    stats: FloatArray
    shape: tuple[int, int]
    scale: float

    def turned(self, degrees: int) -> Blobs:
        """The same components as seen in the frame turned a quarter clockwise (90) or
        counterclockwise (270): a quarter turn maps pixels exactly, so the frame need not be
        thresholded again (the adaptive threshold's square block turns with it)."""
        if degrees == 0:
            return self
        h, w = self.shape
        x, y, bw, bh, area = self.stats.T
        if degrees == 90:  # cv2.ROTATE_90_CLOCKWISE: (x, y) -> (h - 1 - y, x)
            nx, ny = h - (y + bh), x
        elif degrees == 270:  # cv2.ROTATE_90_COUNTERCLOCKWISE: (x, y) -> (y, w - 1 - x)
            nx, ny = y, w - (x + bw)
        else:
            raise ValueError("only quarter turns (90, 270)")
        return Blobs(np.stack([nx, ny, bh, bw, area], 1), (w, h), self.scale)


def glyph_blobs(binary: Img) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Components that could be one (or two merged) MRZ glyphs: centers, heights, widths."""
    _n, _labels, stats, _cent = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return _glyphs(stats[1:, :5].astype(np.float64))


def _glyphs(stats: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    x, y, w, h, area = stats.T
    keep = (
        (h >= MIN_GLYPH_PX)
        & (h <= MAX_GLYPH_PX)
        & (w >= 2)
        & (w <= 2.6 * h)
        & (area >= 0.08 * w * h)
        & (area <= 0.85 * w * h)
    )
    centers = np.stack([x + w / 2.0, y + h / 2.0], axis=1)[keep]
    return centers, h[keep], w[keep]


def _link_right(centers: FloatArray, heights: FloatArray) -> NDArray[np.int64]:
    """For each blob, the nearest similar blob to its right along the text direction (-1: none).

    Vectorised: each blob's candidates are the blobs in its x window (x-sorted order)."""
    n = len(centers)
    nxt = np.full(n, -1, dtype=np.int64)
    if n < 2:
        return nxt
    order = np.argsort(centers[:, 0], kind="stable")
    c = centers[order]
    h = heights[order]
    a = np.searchsorted(c[:, 0], c[:, 0] + 0.35 * h, side="left")
    b = np.searchsorted(c[:, 0], c[:, 0] + 2.6 * h, side="right")
    width = int(min(max(int((b - a).max()), 1), 600))
    j = a[:, None] + np.arange(width)[None, :]  # (n, width) candidate ranks
    valid = j < np.minimum(b, n)[:, None]
    j = np.minimum(j, n - 1)
    d = c[j] - c[:, None, :]
    ratio = h[j] / h[:, None]
    ok = valid & (np.abs(d[..., 1]) < 0.6 * d[..., 0]) & (ratio > 0.6) & (ratio < 1.67)
    dist = np.where(ok, np.hypot(d[..., 0], d[..., 1]), np.inf)
    best = np.argmin(dist, axis=1)
    has = np.isfinite(dist[np.arange(n), best])
    nxt_sorted = np.where(has, j[np.arange(n), best], -1)
    nxt[order] = np.where(nxt_sorted >= 0, order[np.maximum(nxt_sorted, 0)], -1)
    return nxt


def _chains(centers: FloatArray, heights: FloatArray) -> list[TextLine]:
    nxt = _link_right(centers, heights)
    n = len(centers)
    # keep only the closest predecessor of each blob, so chains do not fork
    best_prev = np.full(n, -1, dtype=np.int64)
    best_d = np.full(n, np.inf)
    for i in range(n):
        j = nxt[i]
        if j >= 0:
            d = float(np.hypot(*(centers[j] - centers[i])))
            if d < best_d[j]:
                best_d[j], best_prev[j] = d, i
    has_prev = best_prev >= 0
    lines: list[TextLine] = []
    for start in np.nonzero(~has_prev)[0]:
        chain = [int(start)]
        cur = int(start)
        while nxt[cur] >= 0 and best_prev[nxt[cur]] == cur and len(chain) < 200:
            cur = int(nxt[cur])
            chain.append(cur)
        if len(chain) >= 6:
            idx = np.array(chain)
            lines.append(TextLine(centers[idx], heights[idx]))
    return lines


def _fit_dir(pts: FloatArray) -> FloatArray:
    vx, vy, _x0, _y0 = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    d = np.array([vx, vy], dtype=np.float64)
    return d if d[0] >= 0 else -d


def _merge_collinear(lines: list[TextLine]) -> list[TextLine]:
    """Join chain pieces broken by a missed link (merged glyphs, a blemish) into whole lines."""
    lines = sorted(lines, key=lambda ln: float(ln.centers[0, 0]))
    h = [ln.height for ln in lines]
    p = [ln.pitch for ln in lines]
    alive = [True] * len(lines)
    changed = True
    while changed:
        changed = False
        for ia, a in enumerate(lines):
            if not alive[ia]:
                continue
            for ib, b in enumerate(lines):
                if ib == ia or not alive[ib]:
                    continue
                hh = max(h[ia], h[ib])
                gap = b.centers[0] - a.centers[-1]
                if not (0.3 * hh < gap[0] < 4.5 * max(p[ia], p[ib], hh)) or abs(gap[1]) > 2.0 * hh:
                    continue
                if abs(h[ib] / h[ia] - 1) > 0.35:
                    continue
                if min(a.n, b.n) >= 5 and abs(p[ib] / max(p[ia], 1e-6) - 1) > 0.3:
                    continue  # another text size or spacing: not the same MRZ line
                # collinear along the longer piece's direction (a short piece's is noisy)
                long_, short = (a, b) if a.n >= b.n else (b, a)
                d = _fit_dir(long_.centers) if long_.n >= 3 else np.array([1.0, 0.0])
                normal = np.array([-d[1], d[0]])
                off = np.abs((short.centers - long_.centers.mean(axis=0)) @ normal)
                if float(off.max()) > 0.35 * hh:
                    continue
                a.centers = np.vstack([a.centers, b.centers])
                a.heights = np.concatenate([a.heights, b.heights])
                h[ia], p[ia] = a.height, a.pitch
                alive[ib] = False
                changed = True
    return [ln for ln, ok in zip(lines, alive, strict=True) if ok]


def find_lines(gray: Img, offset: int = 9, thin_lines: bool = False) -> list[TextLine]:
    """All long straight chains of similar glyphs (MRZ-line shaped), with their direction."""
    return _lines(*glyph_blobs(binarize(gray, offset, thin_lines)))


def _lines(centers: FloatArray, heights: FloatArray, _widths: FloatArray) -> list[TextLine]:
    lines = [ln for ln in _merge_collinear(_chains(centers, heights)) if ln.n >= MIN_LINE_GLYPHS]
    out = []
    for ln in lines:
        d = _fit_dir(ln.centers)
        normal = np.array([-d[1], d[0]])
        resid = np.abs((ln.centers - ln.mid) @ normal)
        if np.median(resid) > 0.25 * ln.height:
            continue  # curved/zigzag chain: guilloche or clutter
        ln.direction = d
        out.append(ln)
    return out


def _shape_cost(lines: list[TextLine]) -> float:
    """How far a band is from an MRZ shape: glyph counts off 30/36/44, unequal lines."""
    ns = [ln.n for ln in lines]
    lengths = (30,) if len(ns) == 3 else (44, 36, 30)
    off = min(sum(abs(n - L) for n in ns) for L in lengths)
    return off + 0.5 * (max(ns) - min(ns))


# Line spacing (centre to centre) in character pitches. ICAO 9303 fixes the pitch (2.54 mm,
# 10 cpi) but real documents space their lines from about 1.4 pitches (card MRZs, our synthetic
# frames) to 2.2 (passports: 2.45-2.8x the filler height); keep a margin each side. A second
# text line closer than a full glyph height overlaps the first, so that is the lower bound too.
LINE_SPACING_PITCHES = (1.2, 3.2)
SAME_SIZE = 0.3  # relative difference in full glyph height / pitch for lines of one MRZ


_Sizes = dict[int, tuple[float, float]]  # id(line) -> (full glyph height, pitch)


def _same_size(sa: tuple[float, float], sb: tuple[float, float]) -> bool:
    return abs(sb[0] / sa[0] - 1) <= SAME_SIZE and abs(sb[1] / max(sa[1], 1e-6) - 1) <= SAME_SIZE


def _line_below(a: TextLine, b: TextLine, sizes: _Sizes) -> float | None:
    """Offset of b below a (along a's normal) when b can be a's next MRZ line, else None."""
    sa, sb = sizes[id(a)], sizes[id(b)]
    if not _same_size(sa, sb) or abs(float(np.dot(a.direction, b.direction))) < 0.97:
        return None
    normal = np.array([-a.direction[1], a.direction[0]])
    off = float(np.dot(b.mid - a.mid, normal))
    along = float(np.dot(b.mid - a.mid, a.direction))
    length = float(np.dot(a.centers[-1] - a.centers[0], a.direction))
    full, pitch = sa
    lo, hi = LINE_SPACING_PITCHES
    if max(lo * pitch, 1.05 * full) < off < hi * pitch and abs(along) < 0.25 * length:
        return off
    return None


def group_lines(lines: list[TextLine], scale: float) -> list[Candidate]:
    """Bands of 2-3 parallel, adjacent lines of similar length and glyph size, best first.

    Geometry is measured on what the MRZ keeps stable: the character pitch and the full-size
    glyphs, never the median blob (on a name line that is the short filler)."""
    cands: list[tuple[float, Candidate]] = []
    sizes = {id(ln): (ln.full_height, ln.pitch) for ln in lines}
    for a in lines:
        below = [
            (off, b) for b in lines if b is not a and (off := _line_below(a, b, sizes)) is not None
        ]
        below.sort(key=lambda t: t[0])
        for off, b in below[:2]:
            unit = sizes[id(a)][1]
            cands.append((_shape_cost([a, b]) + 0.1 * off / unit, Candidate([a, b], scale)))
            for c in lines:
                if c is a or c is b:
                    continue
                off2 = _line_below(b, c, sizes)
                if off2 is not None and 0.75 * off < off2 < 1.33 * off:
                    cands.append((_shape_cost([a, b, c]) - 3.0, Candidate([a, b, c], scale)))
    cands.sort(key=lambda t: t[0])
    return [c for _s, c in cands]


def blobs(
    gray: Img, max_side: int = 1600, locate_pass: tuple[int, bool] = LOCATE_PASSES[0]
) -> Blobs:
    """Ink components of a grayscale frame (any size), worked on at most `max_side` px."""
    h, w = gray.shape
    scale = min(1.0, max_side / max(h, w))
    work = (
        gray
        if scale == 1.0
        else cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    )
    binary = binarize(work, *locate_pass)
    _n, _labels, stats, _cent = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return Blobs(stats[1:, :5].astype(np.float64), (work.shape[0], work.shape[1]), scale)


def candidates(b: Blobs) -> list[Candidate]:
    """MRZ candidates among a frame's ink components, best first; [] when nothing MRZ-like."""
    return group_lines(_lines(*_glyphs(b.stats)), b.scale)


def find_candidates(
    gray: Img, max_side: int = 1600, locate_pass: tuple[int, bool] = LOCATE_PASSES[0]
) -> list[Candidate]:
    """MRZ candidates in a grayscale frame (any size), best first; [] when nothing MRZ-like.

    `locate_pass`: one of LOCATE_PASSES; the reader tries the next while nothing reads."""
    return candidates(blobs(gray, max_side, locate_pass))
