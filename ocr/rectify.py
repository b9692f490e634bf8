"""Rectify an MRZ candidate onto a canonical fixed-pitch grid and cut it into character cells.

A homography maps canonical cell centres ((i + 0.5) * PITCH, line_y[k]) to the glyph centres
found by ocr.locate; perspective tilt and rotation are undone exactly for a flat document.
Cells are CELL_H x PITCH pixels, the glyph's cap height about CAP px (OCR-B: cap 0.70 em,
advance 0.723 em).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.locate import Candidate, TextLine

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)

PITCH = 18  # canonical character pitch, px
EM = PITCH / 0.723
GLYPH_H = 0.735 * EM  # mean blob height of caps (0.70 em) and digits (0.77 em)
CELL_H = 24  # canonical cell height, px, centred on the line's glyph centres
MARGIN = 16


@dataclass(slots=True)
class Grid:
    """One geometric hypothesis: canonical -> source-image homography for L chars x n lines."""

    H: NDArray[Any]  # maps canonical (x, y) to original image pixels (3x3 float64)
    length: int  # characters per line
    line_y: list[float]  # canonical y of each line's glyph centres
    residual: float  # RMS fit error in canonical px (lower is better)
    size: tuple[int, int]  # canonical image (width, height)


def full_glyph_height(lines: list[TextLine]) -> float:
    """Median height of the full-size glyphs of a candidate: all its blobs pooled, those under
    80 % of the pooled 90th percentile left out (short '<' fillers where a print has them)."""
    h = np.concatenate([ln.heights for ln in lines])
    return float(np.median(h[h >= 0.8 * np.percentile(h, 90)]))


def _indices(line: TextLine) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Character index of each blob from the spacing (a merged pair skips one index), and
    which blobs to trust (pieces of a glyph split in two are left out)."""
    steps = np.linalg.norm(np.diff(line.centers, axis=0), axis=1)
    # local pitch (perspective changes it along the line): running median of the steps
    n = len(steps)
    local = np.array([np.median(steps[max(0, i - 4) : i + 5]) for i in range(n)])
    inc = np.rint(steps / np.maximum(local, 1e-6)).astype(np.int64)
    idx = np.concatenate([[0], np.cumsum(inc)])
    keep = np.ones(len(idx), bool)
    # the MRZ has no gaps: a blob beyond a gap at a line end is the card edge or dirt
    if n >= 3 and steps[0] / local[0] > 1.8:
        keep[0] = False
        idx = idx - idx[1]
    if n >= 3 and steps[-1] / local[-1] > 1.8:
        keep[-1] = False
        idx[-1] = idx[-2]
    split = np.nonzero(inc == 0)[0]
    keep[split] = False
    keep[split + 1] = False
    return idx, keep


def _offsets(count: int, length: int, spread: int = 2) -> list[int]:
    if count == length:
        return [0]
    lo, hi = min(0, length - count), max(0, length - count)
    if hi - lo > spread * 2:
        return []
    return list(range(lo, hi + 1))


def grids(cand: Candidate, max_hyp: int = 8) -> list[Grid]:
    """Geometric hypotheses for a candidate, best fit first (empty when it cannot be an MRZ)."""
    nlines = len(cand.lines)
    # scale the canonical lines so the full-size glyphs have the height the classifier knows
    # (this also undoes foreshortening across the lines); never the median blob, which on a
    # name line is the short '<' filler
    heights = full_glyph_height(cand.lines)
    mids = [ln.mid for ln in cand.lines]
    d0 = cand.lines[0].direction
    normal = np.array([-d0[1], d0[0]])
    spacing = float(np.mean([np.dot(mids[k + 1] - mids[k], normal) for k in range(nlines - 1)]))
    ls = GLYPH_H * spacing / max(heights, 1e-6)
    found = [_indices(ln) for ln in cand.lines]
    counts = [int(ix[-1]) + 1 for ix, _k in found]
    # (document lines, which of them we found, line length): a 2-line TD1 candidate is a TD1
    # whose third line was not found (e.g. touching the card edge): read it where it must be
    layouts: list[tuple[int, list[int], int]] = []
    if nlines == 3:
        layouts.append((3, [0, 1, 2], 30))
    elif nlines == 2:
        layouts += [(2, [0, 1], 44), (2, [0, 1], 36), (3, [0, 1], 30), (3, [1, 2], 30)]
    out: list[Grid] = []
    for total, rows, length in layouts:
        if any(abs(c - length) > 6 for c in counts):
            continue
        # a line short of glyphs at its ends (glare, a thumb) may sit anywhere along a complete
        # one: try every offset (the decoder decides); otherwise +-2
        complete = any(abs(c - length) <= 1 for c in counts)
        per_line = [_offsets(c, length, 3 if complete else 2) for c in counts]
        if any(not o for o in per_line):
            continue
        line_y = [MARGIN + CELL_H / 2 + k * ls for k in range(total)]
        for combo in itertools.product(*per_line):
            src, dst = [], []
            for row, ln, (ix, keep), off in zip(rows, cand.lines, found, combo, strict=True):
                j = ix + off
                ok = (j >= 0) & (j < length) & keep
                src.append(
                    np.stack([(j[ok] + 0.5) * PITCH + MARGIN, np.full(ok.sum(), line_y[row])], 1)
                )
                dst.append(ln.centers[ok] / cand.scale)
            s = np.concatenate(src).astype(np.float32)
            d = np.concatenate(dst).astype(np.float32)
            if len(s) < 8:
                continue
            H, _mask = cv2.findHomography(
                s, d, cv2.RANSAC, 0.25 * PITCH * heights / GLYPH_H / cand.scale
            )
            if H is None:
                continue
            H, s, d = _refine(H, cand, rows, line_y, length, s, d)
            Hinv = np.linalg.inv(H)
            back = cv2.perspectiveTransform(d.reshape(-1, 1, 2), Hinv).reshape(-1, 2)
            err = np.linalg.norm(back - s, axis=1)
            resid = float(np.sqrt(np.mean(np.minimum(err, PITCH) ** 2)))
            # a shifted line is a shear the homography fits too: penalise glyph shear;
            # a guessed (unseen) line costs a little too
            resid += 0.5 * sum(abs(o) for o in combo) + (1.0 if total != nlines else 0.0)
            size = (length * PITCH + 2 * MARGIN, int(line_y[-1] + CELL_H / 2 + MARGIN))
            out.append(Grid(H, length, line_y, resid, size))
    out.sort(key=lambda g: g.residual)
    return out[:max_hyp]


def _refine(
    H: NDArray[Any],
    cand: Candidate,
    rows: list[int],
    line_y: list[float],
    length: int,
    s: NDArray[np.float32],
    d: NDArray[np.float32],
    rounds: int = 2,
) -> tuple[NDArray[Any], NDArray[np.float32], NDArray[np.float32]]:
    """Re-assign every blob to its nearest grid cell under H and refit on the good ones.

    Fixes index slips from merged or lost glyphs under strong perspective, where pitch
    changes along the line and spacing alone misleads."""
    pts = [ln.centers / cand.scale for ln in cand.lines]
    for _ in range(rounds):
        Hinv = np.linalg.inv(H)
        src, dst = [], []
        for row, p in zip(rows, pts, strict=True):
            c = cv2.perspectiveTransform(p.reshape(-1, 1, 2).astype(np.float64), Hinv).reshape(
                -1, 2
            )
            j = np.rint((c[:, 0] - MARGIN) / PITCH - 0.5)
            gx = (j + 0.5) * PITCH + MARGIN
            ok = (
                (j >= 0)
                & (j < length)
                & (np.abs(c[:, 0] - gx) < 0.3 * PITCH)
                & (np.abs(c[:, 1] - line_y[row]) < 0.4 * PITCH)
            )
            # one blob per cell: a cell claimed twice is a split glyph
            uniq, counts = np.unique(j[ok], return_counts=True)
            dup = set(uniq[counts > 1].tolist())
            ok &= np.array([jj not in dup for jj in j])
            src.append(np.stack([gx[ok], np.full(int(ok.sum()), line_y[row])], 1))
            dst.append(p[ok])
        s2 = np.concatenate(src).astype(np.float32)
        d2 = np.concatenate(dst).astype(np.float32)
        if len(s2) < 8:
            break
        H2, _m = cv2.findHomography(s2, d2, 0)
        if H2 is None:
            break
        H, s, d = H2, s2, d2
    return H, s, d


def warp(gray: Img, grid: Grid) -> Img:
    """The canonical image of the MRZ band (anti-aliased when the source glyphs are large)."""
    # local source px per canonical px at the band centre
    w, h = grid.size
    c = np.array([[[w / 2, h / 2]], [[w / 2 + PITCH, h / 2]]], np.float32)
    p = cv2.perspectiveTransform(c, grid.H).reshape(-1, 2)
    zoom = float(np.linalg.norm(p[1] - p[0])) / PITCH
    H = grid.H
    src = gray
    if zoom > 1.6:
        # shrink the region first: warpPerspective has no area filter
        corners = cv2.perspectiveTransform(
            np.array([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]], np.float32), H
        ).reshape(-1, 2)
        x0, y0 = np.floor(corners.min(0)).astype(int) - 4
        x1, y1 = np.ceil(corners.max(0)).astype(int) + 4
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(gray.shape[1], x1), min(gray.shape[0], y1)
        if x1 - x0 > 4 and y1 - y0 > 4:
            f = 1.2 / zoom
            roi = gray[y0:y1, x0:x1]
            src = cv2.resize(
                roi,
                (max(1, int((x1 - x0) * f)), max(1, int((y1 - y0) * f))),
                interpolation=cv2.INTER_AREA,
            )
            T = np.array([[f, 0, -x0 * f], [0, f, -y0 * f], [0, 0, 1]], np.float64)
            H = T @ H
    return cv2.warpPerspective(
        src,
        H,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def cut_cells(canon: Img, grid: Grid, dx: float = 0.0, dy: float = 0.0) -> Img:
    """(lines, length, CELL_H, PITCH) cells from a canonical image, optionally shifted (px)."""
    n = len(grid.line_y)
    out = np.empty((n, grid.length, CELL_H, PITCH), np.uint8)
    for k, yc in enumerate(grid.line_y):
        y0 = int(round(yc - CELL_H / 2 + dy))
        strip = canon[y0 : y0 + CELL_H]
        for i in range(grid.length):
            x0 = int(round(MARGIN + i * PITCH + dx))
            out[k, i] = strip[:, x0 : x0 + PITCH]
    return out
