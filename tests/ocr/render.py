"""Render an MRZ onto a synthetic camera frame (OCR-B from Debian fonts-ocr-b), for tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)

OCRB = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")


def render_frame(
    lines: Sequence[str],
    *,
    angle: float = 6.0,
    cap_px: float = 22.0,
    seed: int = 0,
    size: tuple[int, int] = (1280, 960),
    line_spacing: float | None = None,
) -> Img:
    """A BGR frame: a light card with the MRZ at the bottom, rotated on a dark desk,
    blurred, noisy, JPEG. `line_spacing`: baseline to baseline in character pitches (ICAO's
    2.54 mm); default 1.15 em."""
    rng = np.random.default_rng(seed)
    em = cap_px / 0.70
    font = ImageFont.truetype(str(OCRB), int(round(em)))
    pitch = font.getlength("M")
    n = len(lines[0])
    card_w = int(pitch * n + 4 * pitch)
    card_h = int(card_w * 0.68)
    card = Image.new("L", (card_w, card_h), 225)
    d = ImageDraw.Draw(card)
    d.text((2 * pitch, card_h * 0.15), "PASSPORT  REPUBLIC OF NOWHERE", font=font, fill=90)
    base = card_h - 1.2 * em
    step = 1.15 * em if line_spacing is None else line_spacing * pitch
    card_h = max(card_h, int(base + 1.2 * em))
    for k, line in enumerate(reversed(lines)):
        y = base - k * step
        for i, ch in enumerate(line):
            d.text((2 * pitch + i * pitch, y), ch, font=font, fill=25, anchor="ls")
    W, H = size
    frame = np.full((H, W), 70, np.uint8)
    c = np.asarray(card)
    M = cv2.getRotationMatrix2D((card_w / 2, card_h / 2), angle, 1.0)
    M[:, 2] += np.array([W / 2 - card_w / 2, H / 2 - card_h / 2])
    warped = cv2.warpAffine(c, M, (W, H), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpAffine(
        np.ones_like(c), M, (W, H), flags=cv2.INTER_NEAREST, borderValue=0
    ).astype(bool)
    frame[mask] = warped[mask]
    img: Img = cv2.GaussianBlur(frame.astype(np.float32), (0, 0), 0.8)
    img = img + rng.normal(0, 3, img.shape).astype(np.float32)
    img8 = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(img8, cv2.COLOR_GRAY2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]
    )
    assert ok
    out: Img | None = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert out is not None
    return out


def blank_frame(size: tuple[int, int] = (1280, 720), seed: int = 1) -> Img:
    """A desk with no document: texture, a few objects, noise."""
    rng = np.random.default_rng(seed)
    W, H = size
    img = np.full((H, W, 3), 110, np.float32) + rng.normal(0, 6, (H, W, 3)).astype(np.float32)
    cv2.circle(img, (300, 300), 60, (60, 120, 200), -1)
    cv2.rectangle(img, (700, 200), (900, 600), (30, 30, 30), -1)
    return np.clip(img, 0, 255).astype(np.uint8)
