"""What the OCR tests share: the public dev corpus's place, and synthetic per-cell scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ocr.classify import ALPHABET


def scores(
    lines: list[str],
    confuse: dict[tuple[int, int], tuple[str, float]] | None = None,
    sure: float = 12.0,
) -> list[NDArray[np.float32]]:
    """Log-probabilities that favour `lines`; confuse[(line, col)] = (char, margin) makes `char`
    the top choice by `margin` nats over the true one."""
    out = []
    for k, line in enumerate(lines):
        z = np.zeros((len(line), len(ALPHABET)), np.float32)
        for i, ch in enumerate(line):
            z[i, ALPHABET.index(ch)] = sure
            if confuse and (k, i) in confuse:
                wrong, margin = confuse[(k, i)]
                z[i, ALPHABET.index(wrong)] = sure + margin
        z -= np.log(np.exp(z).sum(1, keepdims=True))
        out.append(z)
    return out


DEV_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mrz-dev"
