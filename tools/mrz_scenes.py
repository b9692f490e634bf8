"""Seeded "realistic" MRZ scenes, one tier per failure class of real documents (issue 15).

    scenes = make_tier("visa", n=20, seed=4)      # list[Scene]: image (BGR), printed lines, ...

Every image is made here from OCR-B (Debian fonts-ocr-b): no image from elsewhere. A document
is printed in one of several processes (offset, laser engraving, inkjet, photocopy, dot matrix),
placed in a scene (flatbed scan or hand-held photo: rotation, perspective, blur, glare, JPEG),
and each tier stresses one cause:

    clean_scan      flat scans of passports and cards, nothing hard
    filler_spacing  passports with short names (a line of '<') and real line spacing
    visa            MRV-A / MRV-B visas
    bad_check       a printed check digit is wrong: expect the lines and the failing check
    nonstandard     issuer / nationality outside the ICAO list (<<<, SI<, 132)
    rotated         0/90/180/270 deg plus skew up to +-25 deg, perspective of a hand-held photo
    small           glyphs 6-8 px tall (thumbnails, a far camera)
    overprint       a stamp or faint dot-matrix print across the zone
    print           photocopies, inkjet, dot matrix, JPEG quality 15-40, motion blur, glare
    unchecked       names of look-alike letters (O/Q/D/C/G, E/F, I/T/L) and codes one letter
                    from another listed code (AUS/AUT, COD/COG), in hand-held photos: no
                    check digit covers them, so they must be read surely or refused
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from ocr.country_codes import ISO_3166_ALPHA3
from ocr.mrz import make_mrz

Img = NDArray[Any]
OCRB = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TIERS = (
    "clean_scan", "filler_spacing", "visa", "bad_check", "nonstandard", "rotated", "small",
    "overprint", "print", "unchecked",
)  # fmt: skip
PRINTS = ("offset", "laser", "inkjet", "photocopy", "dotmatrix")
_CODES = sorted(ISO_3166_ALPHA3)
_SYL = ["MO", "KO", "ENA", "LI", "SE", "THA", "BO", "NG", "RA", "TSE", "PHO", "NA", "DI", "ME"]
_LOOKALIKE_SYL = ["OQ", "DO", "CO", "GO", "ELF", "FE", "TIL", "LI", "QU", "ODD", "CEG"]
# listed codes one letter from another listed code (a misread lands on a real code)
_NEAR_CODES = sorted(
    c for c in _CODES
    if any(sum(x != y for x, y in zip(c, o, strict=True)) == 1 for o in _CODES if o != c)
)  # fmt: skip


@dataclass(slots=True)
class Scene:
    """One test image and what a right reader returns for it."""

    tier: str
    lines: list[str]  # as printed
    image: Img = field(repr=False)
    expect: str = "accept"  # "accept", or "flag": the lines with `failed` checks named
    failed: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


def _name(rng: np.random.Generator, parts: int, syllables: list[str] = _SYL) -> str:
    return " ".join(
        "".join(rng.choice(syllables, int(rng.integers(1, 4)))) for _ in range(parts)
    )


def _yymmdd(rng: np.random.Generator, lo: int, hi: int) -> str:
    yy, mm, dd = int(rng.integers(lo, hi)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    return f"{yy:02d}{mm:02d}{dd:02d}"


def _document(rng: np.random.Generator, tier: str) -> tuple[list[str], tuple[str, ...]]:
    if tier == "visa":
        doc_type = str(rng.choice(["MRVA", "MRVB"]))
    elif tier == "filler_spacing":
        doc_type = "TD3"
    elif tier == "nonstandard":
        doc_type = "TD1"
    else:
        doc_type = str(rng.choice(["TD3", "TD3", "TD1", "TD2"]))
    code = {"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(doc_type, str(rng.choice(["I", "ID", "AC"])))
    issuer, nation = str(rng.choice(_CODES)), str(rng.choice(_CODES))
    if tier == "nonstandard":
        issuer, nation = [("MAC", "<<<"), ("SI<", "SI<"), ("ROU", "132")][int(rng.integers(3))]
    syl = _SYL
    if tier == "unchecked":
        issuer, nation = str(rng.choice(_NEAR_CODES)), str(rng.choice(_NEAR_CODES))
        syl = _LOOKALIKE_SYL
    number = "".join(str(d) for d in rng.integers(0, 10, 8))
    number = str(rng.choice(list("ABCDEFGHJKLMNPRSTUVWXYZ"))) + number
    short = tier == "filler_spacing"
    lines = make_mrz(
        doc_type,  # type: ignore[arg-type]
        document_code=code, issuing_state=issuer, document_number=number,
        surname=_name(rng, 1, syl), given_names="" if short and rng.random() < 0.3 else
        _name(rng, 1 if short else int(rng.integers(1, 3)), syl),
        nationality=nation, date_of_birth=_yymmdd(rng, 40, 99), sex=str(rng.choice(["M", "F"])),
        date_of_expiry=_yymmdd(rng, 27, 36), nonstandard_codes=tier == "nonstandard",
    )  # fmt: skip
    if tier != "bad_check":
        return lines, ()
    # one printed check digit off (real specimens and documents in circulation have these)
    row = 1
    col, failed = {
        "TD3": [(9, ("document_number", "composite")), (19, ("date_of_birth", "composite")),
                (27, ("date_of_expiry", "composite")), (43, ("composite",))],
        "TD2": [(9, ("document_number", "composite")), (19, ("date_of_birth", "composite")),
                (35, ("composite",))],
        "TD1": [(6, ("date_of_birth", "composite")), (14, ("date_of_expiry", "composite")),
                (29, ("composite",))],
    }[doc_type][int(rng.integers(0, 3))]  # fmt: skip
    old = lines[row][col]
    new = str((int(old) + int(rng.integers(1, 10))) % 10)
    lines[row] = lines[row][:col] + new + lines[row][col + 1 :]
    return lines, failed


def _ink_mask(
    rng: np.random.Generator, lines: list[str], cap: float, spacing: float
) -> tuple[Img, float]:
    """White-on-black MRZ ink at `cap` px cap height; `spacing` in character pitches."""
    em = cap / 0.70
    font = ImageFont.truetype(str(OCRB), int(round(em)))
    pitch = font.getlength("M")
    w = int(pitch * (len(lines[0]) + 4))
    h = int(em * (1.6 + spacing * 1.0 * len(lines)) + 2 * em)
    im = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(im)
    base = h - 1.0 * em
    for k, line in enumerate(reversed(lines)):
        y = base - k * spacing * pitch
        for i, ch in enumerate(line):
            d.text((2 * pitch + i * pitch, y), ch, font=font, fill=255, anchor="ls")
    return np.asarray(im, np.float32) / 255.0, pitch


def _print(rng: np.random.Generator, ink: Img, style: str) -> tuple[Img, Img]:
    """(ink coverage 0..1, darkness of the ink 0..1) for a print process."""
    if style == "laser":  # engraved polycarbonate: grey, soft, a light rim
        soft = cv2.GaussianBlur(ink, (0, 0), 0.9)
        rim = np.clip(cv2.GaussianBlur(ink, (0, 0), 2.0) - soft, 0, 1)
        return np.clip(soft - 0.6 * rim, 0, 1), np.full_like(ink, rng.uniform(0.55, 0.8))
    if style == "inkjet":  # bleed and dropouts
        spread = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.8, 1.6))
        drop = (rng.random(ink.shape) > rng.uniform(0.0, 0.12)).astype(np.float32)
        return np.clip(spread * 1.3, 0, 1) * drop, np.full_like(ink, rng.uniform(0.7, 0.95))
    if style == "photocopy":  # hard contrast, toner speckle, thickened strokes
        thick = cv2.dilate(ink, np.ones((2, 2), np.uint8)) if rng.random() < 0.5 else ink
        speckle = (rng.random(ink.shape) < 0.002).astype(np.float32)
        return np.clip(thick + speckle, 0, 1), np.full_like(ink, 0.95)
    if style == "dotmatrix":  # dots on a grid
        step = int(rng.integers(2, 4))
        dots = np.zeros_like(ink)
        dots[::step, ::step] = 1.0
        dots = cv2.dilate(dots, np.ones((step, step), np.uint8))
        return cv2.GaussianBlur(ink * dots, (0, 0), 0.6), np.full_like(ink, 0.85)
    return ink, np.full_like(ink, rng.uniform(0.8, 0.97))  # offset / crisp print


def _card(rng: np.random.Generator, lines: list[str], cap: float, spacing: float, style: str,
          overprint: bool) -> Img:  # fmt: skip
    ink, pitch = _ink_mask(rng, lines, cap, spacing)
    h_mrz, w = ink.shape
    viz = int(h_mrz * rng.uniform(1.5, 2.5))
    h = viz + h_mrz
    paper = np.array(rng.uniform(200, 250, 3), np.float32)
    if style == "photocopy":
        paper = np.full(3, rng.uniform(225, 250), np.float32)
    card = np.ones((h, w, 3), np.float32) * paper
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for _ in range(int(rng.integers(2, 8))):  # guilloche
        tint = paper * rng.uniform(0.7, 0.95, 3)
        period, amp, phase = rng.uniform(20, 120), rng.uniform(5, 40), rng.uniform(0, 6)
        y0 = rng.uniform(0, h)
        ys = y0 + amp * np.sin(xx[0] / period + phase)
        pts = np.stack([xx[0], ys], 1).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(card, [pts], False, tint.tolist(), int(rng.integers(1, 3)), cv2.LINE_AA)
    pil = Image.fromarray(np.clip(card, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(pil)
    font = ImageFont.truetype(str(SANS if SANS.exists() else OCRB), max(8, int(cap * 0.8)))
    for k in range(4):
        d.text((w * 0.35, viz * (0.15 + 0.2 * k)), _name(rng, 2), font=font, fill=(60, 60, 70))
    portrait = tuple(int(v) for v in paper * 0.7)
    d.rectangle([w * 0.04, viz * 0.1, w * 0.28, viz * 0.95], fill=portrait)
    card = np.asarray(pil, np.float32)
    cover, dark = _print(rng, ink, style)
    inkc = np.array([20, 20, 30], np.float32) if style != "laser" else np.array([50, 45, 45])
    region = card[viz:]
    alpha = (cover * dark)[..., None]
    card[viz:] = region * (1 - alpha) + inkc * alpha
    if overprint:
        _overprint(rng, card, viz, pitch)
    return card


def _overprint(rng: np.random.Generator, card: Img, viz: int, pitch: float) -> None:
    h, w = card.shape[:2]
    if rng.random() < 0.6:  # a red entry stamp half over the zone, translucent
        c = (int(rng.uniform(0.2, 0.8) * w), int(viz + rng.uniform(0.3, 0.9) * (h - viz)))
        r = int(rng.uniform(2.5, 4.5) * pitch)
        layer = np.clip(card, 0, 255).astype(np.uint8)
        color = (40, 40, 200)  # BGR red
        cv2.circle(layer, c, r, color, max(2, int(pitch * 0.25)), cv2.LINE_AA)
        cv2.circle(layer, c, int(r * 0.7), color, max(1, int(pitch * 0.12)), cv2.LINE_AA)
        cv2.putText(layer, "ENTRY", (c[0] - r // 2, c[1]), cv2.FONT_HERSHEY_SIMPLEX,
                    pitch / 25, color, max(1, int(pitch * 0.1)), cv2.LINE_AA)  # fmt: skip
        a = rng.uniform(0.35, 0.6)
        card[:] = card * (1 - a) + layer.astype(np.float32) * a
    else:  # faint dot-matrix endorsement across the lines
        y = int(viz + rng.uniform(0.2, 0.8) * (h - viz))
        for x in range(0, w, max(2, int(pitch / 6))):
            if rng.random() < 0.7:
                yy = y + int(rng.integers(-2, 3))
                cv2.circle(card, (x, yy), max(1, int(pitch / 14)), (150.0, 150.0, 160.0), -1)


def _scene(rng: np.random.Generator, card: Img, params: dict[str, Any]) -> Img:
    """Place the card in a frame: rotation, perspective, scale, light, blur, noise, JPEG."""
    h, w = card.shape[:2]
    scale = params["cap"] / params["card_cap"]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    jitter = params["perspective"] * min(w, h)
    dst = src + rng.uniform(-jitter, jitter, src.shape).astype(np.float32)
    P = cv2.getPerspectiveTransform(src, dst)
    R = cv2.getRotationMatrix2D((w / 2, h / 2), params["angle"], scale)
    M = np.vstack([R, [0, 0, 1]]) @ P
    corners = cv2.perspectiveTransform(src.reshape(-1, 1, 2), M).reshape(-1, 2)
    margin = 0.15 * float(np.ptp(corners, axis=0).max()) + 20
    lo = corners.min(0) - margin
    W, H = (int(v) for v in np.ceil(corners.max(0) - lo + margin))
    M = np.array([[1, 0, -lo[0]], [0, 1, -lo[1]], [0, 0, 1]]) @ M
    desk = np.full((H, W, 3), rng.uniform(40, 140), np.float32)
    desk += rng.normal(0, 8, (H, W, 3)).astype(np.float32)
    frame = cv2.warpPerspective(card, M, (W, H), dst=desk, borderMode=cv2.BORDER_TRANSPARENT)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    light = 1 + params["light"] * (xx / W - 0.5)
    frame = frame * light[..., None]
    if params["glare"]:
        cx, cy, s = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(0.1, 0.3) * W
        frame += 120 * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s)))[..., None]
    if params["blur"] > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), params["blur"])
    if params["motion"] > 1:
        k = int(params["motion"])
        kern = np.zeros((k, k), np.float32)
        kern[k // 2, :] = 1.0 / k
        frame = cv2.filter2D(frame, -1, kern)
    frame = frame + rng.normal(0, params["noise"], frame.shape).astype(np.float32)
    img = np.clip(frame, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, params["jpeg"]])
    assert ok
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert out is not None
    return np.asarray(out)


def _params(rng: np.random.Generator, tier: str) -> dict[str, Any]:
    flat = ("clean_scan", "filler_spacing", "nonstandard", "bad_check")
    scan = tier in flat or rng.random() < 0.4
    p: dict[str, Any] = {
        "cap": float(rng.uniform(12, 24)),
        "spacing": float(rng.uniform(1.45, 2.3)),
        "print": str(rng.choice(["offset", "laser", "offset", "inkjet"])),
        "angle": float(rng.uniform(-2, 2) if scan else rng.uniform(-12, 12)),
        "perspective": 0.0 if scan else float(rng.uniform(0, 0.04)),
        "light": float(rng.uniform(-0.15, 0.15) if scan else rng.uniform(-0.4, 0.4)),
        "glare": bool(not scan and rng.random() < 0.3),
        "blur": float(rng.uniform(0.3, 0.8) if scan else rng.uniform(0.5, 1.3)),
        "motion": 0.0,
        "noise": float(rng.uniform(1, 3) if scan else rng.uniform(2, 6)),
        "jpeg": int(rng.integers(75, 95)),
        "overprint": tier == "overprint",
    }
    if tier == "filler_spacing":
        p["spacing"] = float(rng.uniform(1.9, 2.6))
    elif tier == "rotated":
        p["angle"] = float(rng.choice([0, 90, 180, 270]) + rng.uniform(-25, 25))
        p["perspective"] = float(rng.uniform(0.02, 0.08))
    elif tier == "small":
        p["cap"] = float(rng.uniform(6, 8))
        p["blur"] = float(rng.uniform(0.3, 0.6))
    elif tier == "print":
        p["print"] = str(rng.choice(["photocopy", "inkjet", "dotmatrix", "laser"]))
        p["jpeg"] = int(rng.integers(15, 40)) if rng.random() < 0.5 else p["jpeg"]
        p["motion"] = float(rng.choice([0, 0, 3, 4]))
        p["glare"] = bool(rng.random() < 0.4)
    return p


def make_scene(tier: str, seed: int, index: int) -> Scene:
    """Scene `index` of a tier; the same (tier, seed, index) always gives the same image."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; one of {', '.join(TIERS)}")
    rng = np.random.default_rng([seed, TIERS.index(tier), index])
    lines, failed = _document(rng, tier)
    p = _params(rng, tier)
    p["card_cap"] = 28.0
    card = _card(rng, lines, p["card_cap"], p["spacing"], p["print"], p["overprint"])
    image = _scene(rng, card, p)
    return Scene(tier, lines, image, "flag" if failed else "accept", failed, p)


def make_tier(tier: str, n: int, seed: int) -> list[Scene]:
    return [make_scene(tier, seed, i) for i in range(n)]


def outcome(
    scene: Scene,
    lines: list[str] | tuple[str, ...] | None,
    accepted: bool,
    failed_checks: tuple[str, ...] | list[str] = (),
) -> str:
    """"exact", "silent" (accepted but not what is printed, or a bad check accepted),
    "refused" (lines read but not accepted / not flagged right) or "none" (no lines)."""
    got = list(lines) if lines else None
    if accepted and (scene.expect == "flag" or got != scene.lines):
        return "silent"
    if scene.expect == "accept":
        return "exact" if accepted else ("refused" if got else "none")
    if got == scene.lines and set(scene.failed) <= set(failed_checks):
        return "exact"
    return "refused" if got else "none"
