"""Line-pair geometry of the locator on the spacing real documents use (issue 15, cause 1).

ICAO 9303 fixes the character pitch (2.54 mm, 10 cpi); line spacing varies between issuers:
passports measure 2.45-2.8x the filler height, about 2.0-2.2 pitches; card MRZs and our
synthetic frames about 1.4-1.7. A name line is mostly '<' fillers, far shorter than the letters,
so nothing may be measured on its median blob.
"""

from __future__ import annotations

import numpy as np
import pytest

from ocr.locate import TextLine, group_lines
from ocr.mrz import make_mrz
from ocr.reader import read_mrz_image
from tests.ocr.render import render_frame

PX_PER_MM = 8.0
PITCH = 2.54 * PX_PER_MM
CAP = 2.4 * PX_PER_MM  # OCR-B size 1 cap height
FILLER = 0.55 * CAP  # a '<' blob is about half as tall as a capital

NAME_LINE = "P<UTOLI<<WEI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"  # 34 of 44 cells are fillers


def line(text: str, y: float) -> TextLine:
    xs = (np.arange(len(text)) + 0.5) * PITCH + 40
    heights = np.array([FILLER if c == "<" else CAP for c in text])
    centers = np.stack([xs, np.full(len(text), y)], axis=1)
    return TextLine(centers.astype(np.float64), heights.astype(np.float64))


@pytest.mark.parametrize("spacing_mm", [3.6, 4.23, 5.0, 5.6, 6.2, 7.0])
def test_filler_heavy_pair_is_grouped_at_every_plausible_spacing(spacing_mm: float) -> None:
    upper = line(NAME_LINE, 100.0)
    lower = line("L898902C36UTO7408122F1204159ZE184226B<<<<<10", 100.0 + spacing_mm * PX_PER_MM)
    cands = group_lines([upper, lower], 1.0)
    assert cands and cands[0].lines == [upper, lower]


@pytest.mark.parametrize("spacing_mm", [1.5, 10.0])
def test_lines_too_close_or_too_far_are_not_an_mrz(spacing_mm: float) -> None:
    upper = line("L898902C36UTO7408122F1204159ZE184226B<<<<<10", 100.0)
    lower = line("L898902C36UTO7408122F1204159ZE184226B<<<<<10", 100.0 + spacing_mm * PX_PER_MM)
    assert group_lines([upper, lower], 1.0) == []


def test_lines_of_another_print_size_are_not_paired() -> None:
    upper = line("L898902C36UTO7408122F1204159ZE184226B<<<<<10", 100.0)
    lower = line("L898902C36UTO7408122F1204159ZE184226B<<<<<10", 100.0 + 5 * PX_PER_MM)
    lower.centers[:, 0] = 40 + (lower.centers[:, 0] - 40) * 1.5  # 1.5x the pitch
    lower.heights = lower.heights * 1.5
    assert group_lines([upper, lower], 1.0) == []


NAME_HEAVY = make_mrz(
    "TD3", document_code="P", issuing_state="CHN", document_number="E12345678", surname="LI",
    given_names="WEI", nationality="CHN", date_of_birth="900101", sex="M",
    date_of_expiry="300101",
)  # fmt: skip


@pytest.mark.parametrize("spacing", [1.4, 2.0, 2.2, 2.6])
def test_reader_reads_passports_spaced_like_real_ones(spacing: float) -> None:
    """End to end: a name line of fillers, lines 1.4-2.6 pitches apart (3.6-6.6 mm)."""
    frame = render_frame(NAME_HEAVY, angle=3.0, cap_px=20, seed=5, line_spacing=spacing)
    r = read_mrz_image(frame)
    assert r.lines == tuple(NAME_HEAVY) and r.valid
