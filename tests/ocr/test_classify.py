"""The cell classifier's second opinion: only unsure cells are read again, and averaged."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ocr.classify import ALPHABET, CellClassifier, SecondOpinion
from ocr.rectify import CELL_H, PITCH

F32 = NDArray[np.float32]


class Fixed(CellClassifier):
    """Reads every cell as `probs` and counts the cells it was given."""

    def __init__(self, probs: list[float]) -> None:
        self.lp = np.log(np.asarray(probs, np.float32))
        self.seen = 0

    def log_probs(self, cells: NDArray[Any]) -> F32:
        lead = cells.shape[:-2]
        self.seen += int(np.prod(lead))
        out: F32 = np.broadcast_to(self.lp, (*lead, len(ALPHABET))).astype(np.float32)
        return out


def one_hot(index: int, p: float) -> list[float]:
    rest = (1 - p) / (len(ALPHABET) - 1)
    return [p if i == index else rest for i in range(len(ALPHABET))]


def test_a_sure_cell_is_not_read_again() -> None:
    base, expert = Fixed(one_hot(3, 0.99)), Fixed(one_hot(4, 0.99))
    cells = np.zeros((2, 5, CELL_H, PITCH), np.uint8)
    got = SecondOpinion(base, expert, 0.9).log_probs(cells)
    assert expert.seen == 0
    assert np.allclose(np.exp(got[..., 3]), 0.99, atol=1e-4)


def test_an_unsure_cell_gets_the_mean_of_both_opinions() -> None:
    base, expert = Fixed(one_hot(3, 0.6)), Fixed(one_hot(3, 0.98))
    cells = np.zeros((1, 4, CELL_H, PITCH), np.uint8)
    got = SecondOpinion(base, expert, 0.9).log_probs(cells)
    assert expert.seen == 4
    p = np.exp(got)
    assert np.allclose(p.sum(axis=-1), 1.0, atol=1e-4)
    assert (p[..., 3] > 0.6).all() and (p[..., 3] < 0.98).all()
