#!/usr/bin/env python3
"""Train the OCR-B cell classifier used by ocr/classify.py (reproducible; ~2 min on 2 cores).

    .venv/bin/python tools/train_ocrb.py [--out ocr/model/ocrb_mlp.npz] [--lines 3000] [--seed 7]
        [--corpus DIR ...]   # optional: also learn from cells cut by our own pipeline out of
                             # synthetic frames with ground truth (make_mrz_corpus.py, own seeds)
    # the reader averages two models (ocr/classify.py); the second one is
    .venv/bin/python tools/train_ocrb.py --seed 11 --out ocr/model/ocrb_mlp_print.npz
    # the blur model, a second opinion on the cells the pair reads under 0.9 (ocr/classify.py)
    .venv/bin/python tools/train_ocrb.py --blurry --seed 19 --lines 4000 \
        --out ocr/model/ocrb_mlp_blur.npz
    # a size expert (every line at 5-9 px cap height, defocus <= 0.8 px); not shipped: as a
    # third model for zones under 9 px it read no more small-tier scenes (docs/ocr.md)
    .venv/bin/python tools/train_ocrb.py --seed 13 --caps 5 9 --out /tmp/ocrb_mlp_small.npz

Training data are MRZ-like lines rendered with Debian's OCR-B (fonts-ocr-b) at high
resolution, printed like real documents (offset, laser-engraved polycarbonate, inkjet bleed
and dropouts, photocopy, dot matrix; `print_process`), then degraded like a camera frame that
ocr/rectify.py has rectified: residual
rotation/shear/scale, downscaling to 9-40 px cap height, defocus and motion blur, uneven
light, glare, background print, sensor noise, JPEG, and upscaling back onto the canonical grid
with small misalignment. Each training sample is one CELL_H x PITCH cell with its neighbours'
edges, exactly as the reader cuts them. `--scenes N` adds cells cut by our own pipeline out of
N realistic scenes of tools/mrz_scenes.py (seed --scenes-seed: keep it apart from the seeds of
tests/ocr/test_tiers.py and of any benchmark run you quote).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ocr.classify import ALPHABET, INDEX, normalise  # noqa: E402
from ocr.rectify import CELL_H, EM, PITCH  # noqa: E402

FONT = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
HR_EM = 100  # render size, px per em
HR_PITCH = 0.723 * HR_EM


def random_text(rng: np.random.Generator, n: int) -> str:
    out: list[str] = []
    while len(out) < n:
        r = rng.random()
        if r < 0.18:
            out.extend("<" * int(rng.integers(1, 8)))
        elif r < 0.55:
            out.extend(str(d) for d in rng.integers(0, 10, int(rng.integers(1, 7))))
        else:
            out.extend(chr(65 + int(v)) for v in rng.integers(0, 26, int(rng.integers(1, 8))))
    return "".join(out[:n])


def render_line(
    rng: np.random.Generator, text: str, font: ImageFont.FreeTypeFont
) -> tuple[np.ndarray, float, float]:
    """Ink mask (float32 0..1) of one line at HR_EM; returns (mask, x0, baseline)."""
    w = int(HR_PITCH * (len(text) + 2))
    h = int(2.2 * HR_EM)
    im = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(im)
    x0, base = HR_PITCH, 1.35 * HR_EM
    stroke = int(rng.choice([0, 0, 0, 1, 2, 3]))
    for i, ch in enumerate(text):
        d.text(
            (x0 + i * HR_PITCH + rng.normal(0, 0.6), base + rng.normal(0, 0.6)),
            ch,
            font=font,
            fill=255,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=255,
        )
    # neighbours' rows above/below (the other MRZ lines) sometimes intrude at the cell edges
    for dy in (-1.62, 1.62):
        if rng.random() < 0.5:
            other = random_text(rng, len(text))
            for i, ch in enumerate(other):
                d.text(
                    (x0 + i * HR_PITCH, base + dy * rng.uniform(0.62, 0.78) * HR_EM),
                    ch,
                    font=font,
                    fill=255,
                    anchor="ls",
                )
    return np.asarray(im, np.float32) / 255.0, x0, base


def print_process(rng: np.random.Generator, mask: np.ndarray) -> tuple[np.ndarray, float]:
    """(ink coverage, ink darkness 0..1) of the rendered glyphs printed by a random process."""
    k = HR_EM / 40  # the effects' sizes in render pixels (a 28 px cap is 40 px per em)
    # half the lines as plain renderings: the classifier must stay sharp on clean print
    style = "offset" if rng.random() < 0.5 else rng.choice(
        ["laser", "inkjet", "photocopy", "dotmatrix"]
    )
    if style == "laser":  # engraved polycarbonate: soft grey strokes with a lighter rim
        soft = cv2.GaussianBlur(mask, (0, 0), 0.9 * k)
        rim = np.clip(cv2.GaussianBlur(mask, (0, 0), 2.0 * k) - soft, 0, 1)
        return np.clip(soft - 0.6 * rim, 0, 1), float(rng.uniform(0.55, 0.85))
    if style == "inkjet":  # bleed, and dropped dots
        spread = cv2.GaussianBlur(mask, (0, 0), rng.uniform(0.8, 1.6) * k)
        drops = cv2.resize(
            (rng.random((mask.shape[0] // 3 + 1, mask.shape[1] // 3 + 1)) > rng.uniform(0, 0.15))
            .astype(np.float32), (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_NEAREST,
        )  # fmt: skip
        return np.clip(spread * 1.3, 0, 1) * drops, float(rng.uniform(0.7, 0.95))
    if style == "photocopy":  # thickened or thinned strokes, hard contrast, toner specks
        r = int(rng.integers(1, 4))
        op = cv2.dilate if rng.random() < 0.6 else cv2.erode
        out = op(mask, np.ones((r, r), np.uint8))
        specks = (rng.random(mask.shape) < 0.0005).astype(np.float32)
        out = cv2.dilate(np.clip(out + specks, 0, 1), np.ones((2, 2), np.uint8))
        return out, 0.95
    if style == "dotmatrix":  # dots on a grid
        step = int(rng.integers(2, 4) * k)
        dots = np.zeros_like(mask)
        dots[::step, ::step] = 1.0
        dots = cv2.dilate(dots, np.ones((step, step), np.uint8))
        return cv2.GaussianBlur(mask * dots, (0, 0), 0.6 * k), 0.85
    return mask, float(rng.uniform(0.8, 1.0))


def degrade(
    rng: np.random.Generator,
    mask: np.ndarray,
    x0: float,
    base: float,
    n: int,
    caps: tuple[float, float] | None = None,
    blurry: bool = False,
) -> tuple[np.ndarray, float, float]:
    """Camera-like degradation; returns the canonical grey line and the first cell's origin.

    `blurry` (the blur model, --blurry): small glyphs, defocus and motion as often as sharp
    frames, faint ink; the blur scales with the glyph (defocus up to 0.15 cap heights + 0.3 px:
    legible to an officer; 0.25 cap heights made a model no better as a second opinion)."""
    h, w = mask.shape
    paper = rng.uniform(110, 250)
    mask, darkness = print_process(rng, mask)
    ink = paper * (1 - darkness * rng.uniform(0.2 if blurry else 0.35, 1.0))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = 1 + rng.uniform(-0.25, 0.25) * (xx / w - 0.5) + rng.uniform(-0.1, 0.1) * (yy / h - 0.5)
    bg = np.full((h, w), paper, np.float32) * grad
    if rng.random() < 0.6:  # guilloche-like background print
        for _ in range(int(rng.integers(1, 6))):
            ys = rng.uniform(0, h) + rng.uniform(5, 40) * np.sin(
                xx[0] / rng.uniform(30, 200) + rng.uniform(0, 6)
            )
            pts = np.stack([xx[0], ys], 1).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(
                bg,
                [pts],
                False,
                float(paper * rng.uniform(0.6, 0.95)),
                int(rng.integers(2, 8)),
                cv2.LINE_AA,
            )
    img = bg * (1 - mask) + ink * mask
    if rng.random() < 0.35:  # glare
        cx, sx = rng.uniform(0, w), rng.uniform(0.05, 0.4) * w
        img = img + rng.uniform(30, 140) * np.exp(-0.5 * ((xx - cx) / sx) ** 2)
    # residual geometry after rectification
    ang = rng.normal(0, 0.12)
    shear = rng.normal(0, 0.03)
    sx_ = 1 + rng.normal(0, 0.004)
    sy_ = 1 + rng.normal(0, 0.05)
    M = cv2.getRotationMatrix2D((w / 2, base), ang, 1.0)
    M = M @ np.array([[sx_, shear, 0], [0, sy_, 0], [0, 0, 1]], np.float64)
    img = cv2.warpAffine(img, M, (w, h), borderMode=cv2.BORDER_REPLICATE)
    # camera: downscale to the frame's cap height, blur, noise, JPEG
    if caps is not None:  # a size expert (--caps): every line at its cap heights
        cap = rng.uniform(*caps)
    elif blurry:  # half the lines at 5-12 px, the frames' hard case
        cap = rng.uniform(5, 12) if rng.random() < 0.5 else rng.uniform(9, 36)
    else:
        cap = rng.uniform(9, 40) if rng.random() < 0.7 else rng.uniform(5, 20)
    f = cap / (0.70 * HR_EM)
    small: Any = cv2.resize(
        img, (max(8, int(w * f)), max(8, int(h * f))), interpolation=cv2.INTER_AREA
    )
    # defocus in frame px; a size expert's 5-9 px glyphs are legible only under ~0.8 px blur
    sigma = rng.uniform(0.2, 0.8) if caps is not None else rng.uniform(0.2, 1.4)
    if blurry:
        sigma = rng.uniform(0.2, max(0.5, 0.15 * cap + 0.3))
    small = cv2.GaussianBlur(small, (0, 0), sigma)
    if rng.random() < (0.45 if blurry else 0.2):
        k = int(rng.integers(3, max(4, min(9, int(0.5 * cap)))) if blurry else rng.integers(3, 6))
        kern: Any = np.zeros((k, k), np.float32)
        kern[k // 2, :] = 1.0 / k
        R = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        kern = cv2.warpAffine(kern, R, (k, k))
        small = cv2.filter2D(small, -1, kern / max(kern.sum(), 1e-6))
    small = small + rng.normal(0, rng.uniform(0.5, 9), small.shape) * (
        0.5 + np.sqrt(np.clip(small, 0, 255) / 255)
    )
    small = np.clip(small, 0, 255).astype(np.uint8)
    if rng.random() < 0.85:
        quality = int(rng.integers(40, 96) if rng.random() < 0.75 else rng.integers(12, 40))
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
        small = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    # back onto the canonical grid (as rectify.warp does), with misalignment
    g = EM / HR_EM
    out_w, out_h = int(w * g), int(h * g)
    fx, fy = out_w / small.shape[1], out_h / small.shape[0]
    dx, dy = rng.normal(0, 0.8), rng.normal(0, 0.9)
    A = np.array([[fx, 0, dx], [0, fy, dy]], np.float64)
    canon = cv2.warpAffine(
        small, A, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    # glyph centre line: caps centre 0.35 em, digits 0.385 em above the baseline
    return canon, x0 * g, (base - 0.36 * HR_EM) * g


def synth_cells(
    rng: np.random.Generator,
    n_lines: int,
    caps: tuple[float, float] | None = None,
    blurry: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    font = ImageFont.truetype(FONT, HR_EM)
    xs, ys = [], []
    for _ in range(n_lines):
        n = int(rng.choice([30, 36, 44]))
        text = random_text(rng, n)
        mask, x0, base = render_line(rng, text, font)
        canon, cx0, cy = degrade(rng, mask, x0, base, n, caps, blurry)
        y0 = int(round(cy - CELL_H / 2 + rng.normal(0, 0.4)))
        for i, ch in enumerate(text):
            x = int(round(cx0 + i * PITCH + rng.normal(0, 0.5)))
            cell = canon[y0 : y0 + CELL_H, x : x + PITCH]
            if cell.shape != (CELL_H, PITCH):
                continue
            xs.append(cell)
            ys.append(INDEX[ch])
    return np.stack(xs), np.array(ys, np.int64)


def corpus_cells(root: Path) -> tuple[np.ndarray, np.ndarray]:
    """Cells cut by our own locate+rectify from synthetic frames, labelled with ground truth.

    Only frames whose geometry is certain (right line count and length) are used; the labels
    come from ground_truth.json, never from the classifier.
    """
    from ocr.locate import find_candidates
    from ocr.rectify import cut_cells, grids, warp

    gt = json.loads((root / "ground_truth.json").read_text())
    xs, ys = [], []
    for rec in gt["images"]:
        gray = cv2.imread(str(root / rec["file"]), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            continue
        lines = rec["mrz"]
        for cand in find_candidates(gray)[:3]:
            gs = [
                g for g in grids(cand) if g.length == len(lines[0]) and len(g.line_y) == len(lines)
            ]
            if not gs or gs[0].residual > 2.0:
                continue
            cells = cut_cells(warp(gray, gs[0]), gs[0])
            for k, line in enumerate(lines):
                for i, ch in enumerate(line):
                    xs.append(cells[k, i])
                    ys.append(INDEX[ch])
            break
    if not xs:
        return np.empty((0, CELL_H, PITCH), np.uint8), np.empty(0, np.int64)
    return np.stack(xs), np.array(ys, np.int64)


def scene_cells(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells cut by our own locate+rectify from realistic scenes (tools/mrz_scenes.py), labelled
    with the printed lines (ground truth, never the classifier); certain geometry only."""
    from ocr.locate import find_candidates
    from ocr.rectify import cut_cells, grids, warp
    from tools.mrz_scenes import TIERS, make_scene

    xs, ys = [], []
    for i in range(n):
        scene = make_scene(TIERS[i % len(TIERS)], seed, i)
        gray = cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY)
        lines = scene.lines
        for cand in find_candidates(gray)[:3]:
            gs = [
                g for g in grids(cand) if g.length == len(lines[0]) and len(g.line_y) == len(lines)
            ]
            if not gs or gs[0].residual > 2.0:
                continue
            cells = cut_cells(warp(gray, gs[0]), gs[0])
            for k, line in enumerate(lines):
                for j, ch in enumerate(line):
                    xs.append(cells[k, j])
                    ys.append(INDEX[ch])
            break
    if not xs:
        return np.empty((0, CELL_H, PITCH), np.uint8), np.empty(0, np.int64)
    return np.stack(xs), np.array(ys, np.int64)


def train(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, hidden: int, epochs: int
) -> dict[str, np.ndarray]:
    n, d = x.shape
    k = len(ALPHABET)
    mean = x.mean(0).astype(np.float32)
    x = (x - mean).astype(np.float32)
    params = {
        "w1": (rng.normal(0, np.sqrt(2 / d), (d, hidden))).astype(np.float32),
        "b1": np.zeros(hidden, np.float32),
        "w2": (rng.normal(0, np.sqrt(1 / hidden), (hidden, k))).astype(np.float32),
        "b2": np.zeros(k, np.float32),
    }
    m = {key: np.zeros_like(v) for key, v in params.items()}
    v2 = {key: np.zeros_like(v) for key, v in params.items()}
    b1_, b2_, eps, wd = 0.9, 0.999, 1e-8, 1e-5
    step = 0
    batch = 256
    for ep in range(epochs):
        lr = 2e-3 * (0.5 ** (ep / max(1, epochs / 4)))
        perm = rng.permutation(n)
        tot = 0.0
        for s in range(0, n, batch):
            idx = perm[s : s + batch]
            xb, yb = x[idx], y[idx]
            if rng.random() < 0.5:  # input dropout-ish noise for robustness
                xb = xb + rng.normal(0, 0.05, xb.shape).astype(np.float32)
            h = xb @ params["w1"] + params["b1"]
            a = np.maximum(h, 0)
            z = a @ params["w2"] + params["b2"]
            z -= z.max(1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(1, keepdims=True)
            tot += float(-np.log(p[np.arange(len(yb)), yb] + 1e-9).sum())
            g = p
            g[np.arange(len(yb)), yb] -= 1
            g /= len(yb)
            grads = {"w2": a.T @ g, "b2": g.sum(0)}
            ga = g @ params["w2"].T
            ga[h <= 0] = 0
            grads["w1"] = xb.T @ ga
            grads["b1"] = ga.sum(0)
            step += 1
            for key in params:
                gk = grads[key] + wd * params[key]
                m[key] = b1_ * m[key] + (1 - b1_) * gk
                v2[key] = b2_ * v2[key] + (1 - b2_) * gk * gk
                mh = m[key] / (1 - b1_**step)
                vh = v2[key] / (1 - b2_**step)
                params[key] -= (lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        print(f"epoch {ep + 1}/{epochs}: loss {tot / n:.4f}", flush=True)
    params["mean"] = mean
    return params


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--out", default=str(Path(__file__).resolve().parents[1] / "ocr" / "model" / "ocrb_mlp.npz")
    )
    ap.add_argument("--lines", type=int, default=3000, help="synthetic lines to render")
    ap.add_argument(
        "--corpus", action="append", default=[], help="synthetic frame corpus with ground truth"
    )
    ap.add_argument("--scenes", type=int, default=0, help="realistic scenes to learn from")
    ap.add_argument("--scenes-seed", type=int, default=31337)
    ap.add_argument("--hidden", type=int, default=192)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--caps", type=float, nargs=2, metavar=("LO", "HI"),
        help="render every line at a cap height in LO..HI px (the small-glyph model: 5 9)",
    )  # fmt: skip
    ap.add_argument(
        "--blurry", action="store_true",
        help="the blur model: 5-12 px glyphs half the time, defocus up to 0.25 cap, motion, faint",
    )  # fmt: skip
    a = ap.parse_args(argv)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    cells, labels = synth_cells(rng, a.lines, tuple(a.caps) if a.caps else None, a.blurry)
    print(f"rendered {len(cells)} cells in {time.time() - t0:.0f}s", flush=True)
    for c in a.corpus:
        cx, cy = corpus_cells(Path(c))
        print(f"{c}: {len(cx)} cells", flush=True)
        cells, labels = np.concatenate([cells, cx]), np.concatenate([labels, cy])
    if a.scenes:
        sx, sy = scene_cells(a.scenes, a.scenes_seed)
        print(f"{a.scenes} scenes: {len(sx)} cells", flush=True)
        cells, labels = np.concatenate([cells, sx]), np.concatenate([labels, sy])
    x = normalise(cells)
    # hold out 5 % to report accuracy
    perm = rng.permutation(len(x))
    n_val = len(x) // 20
    val, tr = perm[:n_val], perm[n_val:]
    params = train(x[tr], labels[tr], rng, a.hidden, a.epochs)
    from ocr.classify import CellClassifier

    clf = CellClassifier(params)
    acc = float((clf.logits(x[val]).argmax(1) == labels[val]).mean())
    print(f"held-out cell accuracy {acc:.4f} on {n_val} cells; {time.time() - t0:.0f}s total")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {k: v.astype(np.float16) for k, v in params.items()}
    np.savez_compressed(a.out, **arrays)
    print(f"wrote {a.out} ({Path(a.out).stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
