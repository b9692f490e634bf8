"""Camera MRZ OCR benchmark: our pipeline vs PassportEye, side by side in one run.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/ocr_bench.py \
        [--corpus ../shared/data/mrz-dev] [--limit N] [--no-passporteye] [--json-out FILE]

Scores with ../shared/tools/score_mrz_reader.py (imported, so the outcome rules are the
shared ones): per difficulty, exact-MRZ rate, silent-error rate (wrong but every check digit
passes), no-MRZ rate, median / p95 wall seconds and median CPU seconds per image (CPU is robust
to other load on the shared machine), then the speed ratio PassportEye / ours, and the peak RSS
of our reader (measured before PassportEye is imported). Make a fresh corpus with another seed
for an honest figure:

    .venv/bin/python ../shared/tools/make_mrz_corpus.py --out /tmp/mrz-fresh --n 300 --seed 9

--tiers N adds the realistic tiers of tools/mrz_scenes.py (N seeded scenes per failure class,
made in memory with --tier-seed): per tier and reader the exact rate (accepted and equal to
the print; for a wrong printed check digit: the printed lines with the failing check named),
silent errors (accepted but wrong), refused, nothing found, median / max wall seconds and max
CPU seconds; then over all tiers p99 wall and CPU seconds (CPU is what the reader costs; wall
time on this shared machine also holds other sessions' load).

--expert MODEL.npz adds the reader "imdms+expert" to the same run: the shipped classifier with
MODEL as a second opinion on the cells it reads under --expert-below (ocr.classify.SecondOpinion;
a candidate from tools/train_ocrb.py, e.g. --blurry), so a model is judged before it ships.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # tiny matrices: BLAS threads only contend
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SHARED / "tools"))

import warnings  # noqa: E402

import score_mrz_reader as score  # noqa: E402

warnings.filterwarnings("ignore")  # PassportEye's skimage deprecation noise

Reader = Callable[[str], Any]


def run_reader(
    reader: Reader, corpus: Path, recs: list[dict[str, Any]], label: str
) -> list[dict[str, Any]]:
    if recs:
        score.run_one(reader, str(corpus / recs[0]["file"]), 60)  # warm-up (model load, imports)
    rows = []
    for i, rec in enumerate(recs):
        raw, secs, cpu, err = score.run_one(reader, str(corpus / rec["file"]), 60)
        pred = score.normalize(raw)
        outcome, cer, fok = score.judge(rec, pred)
        rows.append(
            dict(
                id=rec["id"],
                file=rec["file"],
                difficulty=rec["difficulty"],
                doc_type=rec["doc_type"],
                outcome=outcome,
                cer=cer,
                fields=fok,
                seconds=secs,
                cpu_seconds=cpu,
                error=err,
                pred=pred,
                gt=rec["mrz"],
                silent_kind=score.silent_kind(pred, rec["mrz"], rec["doc_type"])
                if outcome == "silent"
                else None,
            )
        )
        print(f"\r{label}: {i + 1}/{len(recs)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows


def expert_reader(model: str, below: float) -> Callable[[Any], Any]:
    """read_mrz_image with `model` as a second opinion on the shipped classifier's unsure cells."""
    from ocr.classify import CellClassifier, SecondOpinion, default_classifier
    from ocr.reader import read_mrz_image

    clf = SecondOpinion(default_classifier(), CellClassifier.load(Path(model)), below)

    def read(image: Any) -> Any:
        return read_mrz_image(image, classifier=clf)

    return read


def run_tiers(n: int, seed: int, passporteye: bool, expert: Callable[[Any], Any] | None) -> None:
    """Per-tier figures on the realistic scenes, ours and (optionally) PassportEye."""
    from ocr.accept import failed_checks
    from ocr.backends import read_passporteye
    from ocr.reader import read_mrz_image
    from tools.mrz_scenes import TIERS, make_tier, outcome

    readers: list[tuple[str, Callable[[Any], Any]]] = [("imdms", read_mrz_image)]
    if expert is not None:
        readers.append(("imdms+expert", expert))
    if passporteye:
        readers.append(("passporteye", read_passporteye))
    print()
    print(f"realistic tiers: {n} scenes each, seed {seed}")
    print(
        "| reader | tier | n | exact | silent | refused | no MRZ | median s | max s | max CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    totals: dict[str, dict[str, int]] = {}
    all_secs: dict[str, list[float]] = {}
    all_cpu: dict[str, list[float]] = {}
    for tier in TIERS:
        scenes = make_tier(tier, n, seed)
        for name, read in readers:
            counts = {"exact": 0, "silent": 0, "refused": 0, "none": 0}
            secs, cpu = [], []
            for sc in scenes:
                t0, c0 = time.perf_counter(), time.process_time()
                r = read(sc.image)
                secs.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                ours = name.startswith("imdms")
                ok = r.accepted if ours else bool(r.valid)
                failed = r.failed_checks if ours else (
                    failed_checks(r.lines) if r.lines else ()
                )
                counts[outcome(sc, r.lines, ok, failed)] += 1
            secs.sort()
            all_secs.setdefault(name, []).extend(secs)
            all_cpu.setdefault(name, []).extend(cpu)
            tot = totals.setdefault(name, dict.fromkeys(counts, 0))
            for k, v in counts.items():
                tot[k] += v
            print(
                f"| {name} | {tier} | {n} | {counts['exact'] / n:.0%} | {counts['silent']} | "
                f"{counts['refused']} | {counts['none']} | {secs[len(secs) // 2]:.3f} | "
                f"{secs[-1]:.3f} | {max(cpu):.3f} |",
                flush=True,
            )
    for name, tot in totals.items():
        all_n = n * len(TIERS)
        ts, cs = sorted(all_secs[name]), sorted(all_cpu[name])
        print(
            f"{name}: all tiers exact {tot['exact']}/{all_n}, silent {tot['silent']}; "
            f"median {ts[len(ts) // 2]:.3f} s, p99 {_p99(ts):.3f} s wall; "
            f"CPU median {cs[len(cs) // 2]:.3f} s, p99 {_p99(cs):.3f} s"
        )


def _p99(sorted_values: list[float]) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(0.99 * len(sorted_values)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--corpus", default=str(SHARED / "data" / "mrz-dev"))
    ap.add_argument("--limit", type=int, default=0, help="at most N images per difficulty")
    ap.add_argument("--no-passporteye", action="store_true", help="ours only (PassportEye is slow)")
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--tiers", type=int, default=0, metavar="N", help="N realistic scenes per tier")
    ap.add_argument("--tier-seed", type=int, default=1, help="seed of the realistic scenes")
    ap.add_argument("--no-corpus", action="store_true", help="only the realistic tiers")
    ap.add_argument("--expert", default=None, metavar="MODEL", help="candidate second opinion")
    ap.add_argument("--expert-below", type=float, default=0.9, metavar="P")
    a = ap.parse_args(argv)
    expert = expert_reader(a.expert, a.expert_below) if a.expert else None
    if a.no_corpus:
        run_tiers(a.tiers, a.tier_seed, not a.no_passporteye, expert)
        return 0

    corpus = Path(a.corpus)
    gt = json.loads((corpus / "ground_truth.json").read_text())
    diffs = ["easy", "medium", "hard"]
    recs: list[dict[str, Any]] = []
    for d in diffs:
        rs = [r for r in gt["images"] if r["difficulty"] == d]
        recs += rs[: a.limit] if a.limit else rs
    load0 = os.getloadavg()

    from ocr.reader import read_lines

    results: dict[str, dict[str, Any]] = {}
    t0 = time.time()
    rows = run_reader(read_lines, corpus, recs, "imdms")
    rss_ours_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["imdms"] = {
        "summary": score.tabulate(rows, diffs)[0],
        "rows": rows,
        "wall_s": time.time() - t0,
    }
    if expert is not None:

        def read_expert(path: str) -> list[str] | None:
            r = expert(path)
            return list(r.lines) if r.accepted and r.lines else None

        t0 = time.time()
        rows = run_reader(read_expert, corpus, recs, "imdms+expert")
        results["imdms+expert"] = {
            "summary": score.tabulate(rows, diffs)[0],
            "rows": rows,
            "wall_s": time.time() - t0,
        }
    if not a.no_passporteye:
        from ocr.backends import read_lines_passporteye

        t0 = time.time()
        rows = run_reader(read_lines_passporteye, corpus, recs, "passporteye")
        results["passporteye"] = {
            "summary": score.tabulate(rows, diffs)[0],
            "rows": rows,
            "wall_s": time.time() - t0,
        }

    print(
        f"corpus {corpus} (seed {gt.get('seed')}, {len(recs)} images); "
        f"load average {load0[0]:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for name, res in results.items():
        print()
        print(score.fmt_table(res["summary"], name))
    print()
    ours = results["imdms"]["summary"]["all"]
    walls = sorted(float(r["seconds"]) for r in results["imdms"]["rows"])
    cpus = sorted(float(r["cpu_seconds"]) for r in results["imdms"]["rows"])
    if walls:
        print(
            f"imdms: p99 {_p99(walls):.3f} s wall, max {walls[-1]:.3f} s; p99 {_p99(cpus):.3f} s "
            f"CPU, max {cpus[-1]:.3f} s (goal p99 <= 0.5 s)"
        )
    print(
        f"imdms: silent {ours['silent']:.2%} (goal <= 0.3 %), "
        f"median {ours['sec_median']:.3f} s wall / {ours['cpu_median']:.3f} s CPU per image, "
        f"p95 {ours['sec_p95']:.3f} s; peak RSS {rss_ours_mb:.0f} MB"
    )
    if "passporteye" in results:
        pe = results["passporteye"]["summary"]["all"]
        print(
            "passporteye / imdms: "
            f"median wall {pe['sec_median'] / max(ours['sec_median'], 1e-9):.1f}x, "
            f"median CPU {pe['cpu_median'] / max(ours['cpu_median'], 1e-9):.1f}x; "
            f"exact {pe['exact']:.1%} vs {ours['exact']:.1%}, "
            f"silent {pe['silent']:.1%} vs {ours['silent']:.1%}"
        )
    if "imdms+expert" in results:
        ex = results["imdms+expert"]["summary"]["all"]
        print(
            f"imdms+expert: exact {ex['exact']:.1%} vs {ours['exact']:.1%}, silent "
            f"{ex['silent']:.1%}, median CPU {ex['cpu_median']:.3f} s vs {ours['cpu_median']:.3f} s"
        )
    if a.tiers:
        run_tiers(a.tiers, a.tier_seed, not a.no_passporteye, expert)
    if a.json_out:
        Path(a.json_out).write_text(
            json.dumps(
                {
                    "corpus": str(corpus),
                    "seed": gt.get("seed"),
                    "rss_ours_mb": rss_ours_mb,
                    "results": results,
                },
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
