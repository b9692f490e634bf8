"""How often OCR correction in ocr.mrz recovers, refuses, or gets it wrong; and parse speed.

Run: .venv/bin/python benchmarks/mrz_correction.py [--n 2000] [--seed 1]

For random valid MRZs of every layout, one character of the document number or a date is
replaced by (a) a modelled OCR confusion (O for 0, 8 for B...) or (b) any other character.
Outcomes: recovered (valid, same as the original), refused (left invalid and unchanged),
undetected (the slip passes every check digit, e.g. G for 6: values 16 and 6 weigh the same
mod 10, so no parser can see it), miscorrected (a correction made it valid but different: the
correction rule's own fault), wrong-invalid (changed, still invalid).
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time
from datetime import date

from ocr.mrz import LAYOUTS, make_mrz, parse_mrz

TODAY = date(2026, 11, 27)
ALNUM = string.ascii_uppercase + string.digits
MODELLED = {"0": "OQD", "O": "0", "1": "I", "I": "1", "8": "B", "B": "8", "5": "S", "S": "5",
            "2": "Z", "Z": "2", "6": "G", "G": "6"}  # fmt: skip


def random_doc(rng: random.Random, doc_type: str) -> list[str]:
    code = {"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(doc_type, "I")
    return make_mrz(
        doc_type,  # type: ignore[arg-type]
        document_code=code, issuing_state="LSO", nationality="ZAF",
        document_number="".join(rng.choice(ALNUM) for _ in range(9)),
        surname="MOKOENA", given_names="THABO", sex=rng.choice("MF"),
        date_of_birth=f"{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        date_of_expiry=f"{rng.randint(27, 36):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
    )  # fmt: skip


def positions(doc_type: str) -> dict[str, list[tuple[int, int]]]:
    if doc_type == "TD1":
        return {"document_number": [(0, c) for c in range(5, 14)],
                "dates": [(1, c) for c in [*range(0, 6), *range(8, 14)]]}  # fmt: skip
    return {"document_number": [(1, c) for c in range(0, 9)],
            "dates": [(1, c) for c in [*range(13, 19), *range(21, 27)]]}  # fmt: skip


def run(n: int, seed: int) -> None:
    rng = random.Random(seed)
    print(f"{'layout':6} {'field':16} {'slip':9} {'recovered':>9} {'refused':>8} "
          f"{'undetected':>10} {'miscorrected':>12} {'wrong-inv':>9}")  # fmt: skip
    for doc_type in LAYOUTS:
        for field, cells in positions(doc_type).items():
            for kind in ("modelled", "other"):
                counts = dict.fromkeys(
                    ["recovered", "refused", "undetected", "miscorrected", "wrong-invalid"], 0
                )
                done = 0
                while done < n:
                    lines = random_doc(rng, doc_type)
                    row, col = rng.choice(cells)
                    old = lines[row][col]
                    if kind == "modelled":
                        if old not in MODELLED:
                            continue
                        new = rng.choice(MODELLED[old])
                    else:
                        others = [c for c in ALNUM if c != old and c not in MODELLED.get(old, "")]
                        new = rng.choice(others)
                    done += 1
                    bad = list(lines)
                    bad[row] = bad[row][:col] + new + bad[row][col + 1 :]
                    rec = parse_mrz(bad, today=TODAY)
                    same = rec.lines == tuple(lines)
                    if same and rec.valid:
                        counts["recovered"] += 1
                    elif rec.valid and not rec.corrections:
                        counts["undetected"] += 1
                    elif rec.valid:
                        counts["miscorrected"] += 1
                    elif tuple(bad) == rec.lines:
                        counts["refused"] += 1
                    else:
                        counts["wrong-invalid"] += 1
                pct = {k: 100.0 * v / n for k, v in counts.items()}
                print(f"{doc_type:6} {field:16} {kind:9} {pct['recovered']:8.1f}% "
                      f"{pct['refused']:7.1f}% {pct['undetected']:9.1f}% "
                      f"{pct['miscorrected']:11.1f}% {pct['wrong-invalid']:8.1f}%")  # fmt: skip
    sample = random_doc(rng, "TD3")
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(2000):
            parse_mrz(sample, today=TODAY)
        times.append((time.perf_counter() - t0) / 2000 * 1e6)
    print(f"parse_mrz TD3 valid: median {statistics.median(times):.1f} us per MRZ (7 runs x 2000)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="damaged MRZs per row")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    run(a.n, a.seed)
