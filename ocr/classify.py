"""Per-cell OCR-B classifier: a small numpy MLP over normalised CELL_H x PITCH cells.

Two models read every cell and their log-probabilities are averaged (a geometric-mean
ensemble, renormalised): ocr/model/ocrb_mlp.npz (tools/train_ocrb.py --seed 7, the issue-7
model) and ocr/model/ocrb_mlp_print.npz (tools/train_ocrb.py --seed 11: the same script with its
print processes, laser, inkjet, photocopy, dot matrix). Alone the second reads no better;
together they refuse fewer right readings of blurred frames (docs/ocr.md). Both are made from
OCR-B renderings (Debian fonts-ocr-b) degraded like camera frames. Output: log-probabilities
over the 37 MRZ symbols for every cell, so the decoder can weigh alternatives.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
INDEX = {c: i for i, c in enumerate(ALPHABET)}
MODEL_PATH = Path(__file__).with_name("model") / "ocrb_mlp.npz"
PRINT_MODEL_PATH = MODEL_PATH.with_name("ocrb_mlp_print.npz")

F32 = NDArray[np.float32]


def normalise(cells: Img) -> F32:
    """(..., h, w) uint8 cells -> (..., h*w) float32 ink maps in about [0, 1], 1 = ink.

    Each cell holds one glyph, so its own darkest and brightest pixels give ink and paper
    levels: this cancels glare, shadows and faded print cell by cell.
    """
    shape = cells.shape
    flat = cells.reshape(-1, shape[-2] * shape[-1]).astype(np.float32)
    lo = np.percentile(flat, 3, axis=1, keepdims=True)
    hi = np.percentile(flat, 92, axis=1, keepdims=True)
    x = (hi - flat) / np.maximum(hi - lo, 12.0)
    x = np.clip(x, -0.2, 1.2)
    out: F32 = x.reshape(*shape[:-2], shape[-2] * shape[-1])
    return out


class CellClassifier:
    """Two-layer MLP: x -> relu(x W1 + b1) -> W2 + b2 -> log-softmax over ALPHABET."""

    def __init__(self, params: dict[str, NDArray[np.float32]]) -> None:
        self.w1 = params["w1"].astype(np.float32)
        self.b1 = params["b1"].astype(np.float32)
        self.w2 = params["w2"].astype(np.float32)
        self.b2 = params["b2"].astype(np.float32)
        self.mean = params["mean"].astype(np.float32)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> CellClassifier:
        with np.load(path) as z:
            return cls({k: z[k] for k in z.files})

    def logits(self, x: F32) -> F32:
        h = np.maximum((x - self.mean) @ self.w1 + self.b1, 0.0)
        return h @ self.w2 + self.b2

    def log_probs(self, cells: Img) -> F32:
        """(..., h, w) cells -> (..., 37) log-probabilities."""
        x = normalise(cells)
        lead = x.shape[:-1]
        z = self.logits(x.reshape(-1, x.shape[-1]))
        z = z - z.max(axis=1, keepdims=True)
        lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        out: F32 = lp.reshape(*lead, len(ALPHABET))
        return out


class EnsembleClassifier(CellClassifier):
    """The mean of several classifiers' log-probabilities, renormalised per cell."""

    def __init__(self, members: list[CellClassifier]) -> None:
        self.members = members

    def log_probs(self, cells: Img) -> F32:
        z = np.mean([m.log_probs(cells) for m in self.members], axis=0)
        z = z - z.max(axis=-1, keepdims=True)
        out: F32 = (z - np.log(np.exp(z).sum(axis=-1, keepdims=True))).astype(np.float32)
        return out


class SecondOpinion(CellClassifier):
    """`base` reads every cell; cells it reads with top probability under `unsure` are read
    again by `expert` and the two log-probabilities averaged (renormalised). The expert costs
    time only on the few unsure cells of a frame. Not in the shipped reader: a blur model as
    expert read no more on fresh draws (docs/ocr.md); benchmarks/ocr_bench.py --expert measures
    a candidate against the shipped pair in one run."""

    def __init__(self, base: CellClassifier, expert: CellClassifier, unsure: float) -> None:
        self.base, self.expert, self.unsure = base, expert, float(np.log(unsure))

    def log_probs(self, cells: Img) -> F32:
        lp = self.base.log_probs(cells)
        flat = lp.reshape(-1, len(ALPHABET))
        low = np.flatnonzero(flat.max(axis=1) < self.unsure)
        if low.size:
            cut = cells.reshape(-1, *cells.shape[-2:])[low]
            z = 0.5 * (flat[low] + self.expert.log_probs(cut))
            z = z - z.max(axis=1, keepdims=True)
            flat = flat.copy()
            flat[low] = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        out: F32 = flat.reshape(lp.shape).astype(np.float32)
        return out


@lru_cache(maxsize=2)
def default_classifier(path: str = str(MODEL_PATH)) -> CellClassifier:
    """The reader's classifier: the ensemble of both shipped models (`path`: one model only)."""
    if path != str(MODEL_PATH):
        return CellClassifier.load(Path(path))
    return EnsembleClassifier([CellClassifier.load(p) for p in (MODEL_PATH, PRINT_MODEL_PATH)])
