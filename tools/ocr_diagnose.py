"""Why scenes fail: one line per failing realistic scene (issue 15, failure analysis).

    PYTHONPATH=$PWD .venv/bin/python tools/ocr_diagnose.py --tiers small overprint --n 20 --seed S
    PYTHONPATH=$PWD .venv/bin/python tools/ocr_diagnose.py --corpus DIR --difficulty hard

Prints only synthetic data (scenes made by tools/mrz_scenes.py, or a corpus made by
../shared/tools/make_mrz_corpus.py): the outcome, the stage that
failed (no zone located / wrong line count = segmentation / cells misread = classifier / read
right but refused = acceptance, with the blocking fields) and the differing cells.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from collections import Counter  # noqa: E402

from ocr.reader import OcrResult, read_mrz_image  # noqa: E402
from tools.mrz_scenes import TIERS, Scene, make_tier, outcome  # noqa: E402


def corpus_scenes(root: Path, difficulty: str) -> list[Scene]:
    """A shared-generator corpus as scenes (every frame printed right: expect acceptance)."""
    import cv2

    recs = json.loads((root / "ground_truth.json").read_text())["images"]
    out = []
    for rec in recs:
        if rec["difficulty"] != difficulty:
            continue
        p = rec["params"]
        params = {"cap": p["char_height_px"], "print": rec["doc_type"], "blur": p["blur_sigma"],
                  "jpeg": p["jpeg_quality"]}  # fmt: skip
        img = cv2.imread(str(root / rec["file"]), cv2.IMREAD_COLOR)
        if img is None:
            raise SystemExit(f"cannot read {rec['file']} in {root}")
        out.append(Scene(difficulty, list(rec["mrz"]), np.asarray(img), "accept", (), params))
    return out


def stage(sc: Scene, r: OcrResult) -> str:
    """The pipeline stage a failing scene is lost in."""
    if r.lines is None:
        return "locate"
    if len(r.lines) != len(sc.lines) or len(r.lines[0]) != len(sc.lines[0]):
        return "segment"
    if list(r.lines) != sc.lines:
        return "classify"
    return "accept"


def diffs(sc: Scene, r: OcrResult) -> str:
    if r.lines is None or len(r.lines) != len(sc.lines):
        return ""
    out = []
    for i, (a, b) in enumerate(zip(sc.lines, r.lines, strict=True)):
        pairs = enumerate(zip(a, b, strict=False))
        out += [f"{i + 1}:{j + 1}{x}>{y}" for j, (x, y) in pairs if x != y]
    return " ".join(out[:8])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tiers", nargs="+", default=list(TIERS), choices=TIERS)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus", type=Path, help="a make_mrz_corpus.py folder instead of tiers")
    ap.add_argument("--difficulty", default="hard", choices=("easy", "medium", "hard"))
    a = ap.parse_args()
    causes: Counter[str] = Counter()
    sets = (
        [(a.difficulty, corpus_scenes(a.corpus, a.difficulty))]
        if a.corpus
        else [(t, make_tier(t, a.n, a.seed)) for t in a.tiers]
    )
    for tier, scenes in sets:
        for i, sc in enumerate(scenes):
            r = read_mrz_image(sc.image)
            res = outcome(sc, r.lines, r.accepted, r.failed_checks)
            if res == "exact":
                continue
            st = stage(sc, r)
            causes[f"{tier}:{st}"] += 1
            p = sc.params
            print(
                f"{tier}#{i} {res} stage={st} cap={p['cap']:.1f} print={p['print']} "
                f"blur={p['blur']:.2f} jpeg={p['jpeg']} conf={r.confidence:.2f} "
                f"valid={r.valid} blocking={','.join(r.blocking)} unsure={len(r.unsure)} "
                f"failed={','.join(r.failed_checks)} {diffs(sc, r)}",
                flush=True,
            )
    print(dict(causes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
