"""Checks on a located MRZ grid against the frame it was found in: every cell inside the
frame, and no longer zone under a shorter layout (ocr/reader.py refuses such grids)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ocr.rectify import CELL_H, MARGIN, PITCH, Grid

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)


def inside(grid: Grid, shape: tuple[int, ...]) -> bool:
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
GLARE_STEP = 8  # ... and this much brighter than the zone's paper (white paper is no glare)


def truncated(gray: Img, grid: Grid, glare_guard: bool = False) -> bool:
    """True when every line of the grid goes on past its last cell (or before its first) with
    glyph-like ink, or (`glare_guard`) the layout ends in burnt-out glare: the grid may be a
    shorter layout laid over a longer zone (a TD3 read as TD2 when its fillers were too small
    to be found), whose checks can pass by chance. The glare guard is for MRV-B only: an
    MRV-A's first 36 columns pass every MRV-B check by construction, while a TD2 over a TD3
    must also pass a composite whose cell the TD3 fills with optional data."""
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
    # (glare is light added to the page: brighter than the zone's own paper, not just white)
    if glare_guard:
        page = float(np.median([paper(k, i) for k in lines for i in range(0, n, 3)]))
        if any(
            paper(k, i) >= max(GLARE, page + GLARE_STEP) for k in lines for i in (n - 1, n, -1, 0)
        ):
            return True
    for side in ((n, n + 1), (-2, -1)):
        if all(
            min(contrast(k, i) for i in side)
            > 0.5 * float(np.median([contrast(k, i) for i in range(0, n, 3)]))
            for k in lines
        ):
            return True
    return False
