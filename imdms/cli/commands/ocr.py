"""`imdms ocr`: read the MRZ from images or a video with the camera OCR pipeline.

    imdms ocr IMAGE...                  one JSON line per image:
        {"file", "mrz": [lines] | null, "lines": [lines] | null, "valid", "accepted",
         "failed_checks", "unsure", "rotation", "layout", "confidence", "seconds"}
    imdms ocr --video FILE              the fused result of a video (or a folder of frames)
    --backend imdms|passporteye         our pipeline (default) or PassportEye, for comparison

"lines" is what was read whenever an MRZ zone was found, also when check digits fail;
"failed_checks" then names them (a wrong printed check digit is a forgery indicator).
"mrz" is the same lines only when the reading is accepted (all check digits pass, unambiguous,
unchecked fields sure); --show-rejected puts the best reading there anyway.
"unsure": [{"line", "column"}] (1-based) characters to verify by eye; "rotation": 0, 90, 180
or 270 degrees the image was turned to read it; "layout": TD1, TD2, TD3, MRVA, MRVB or null.
Output holds personal data: it goes to stdout only, never to the log.
Exit codes: 0 every input read, 1 some input had no accepted MRZ, 2 usage / missing input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any


def _image_line(path: str, backend: str, show_rejected: bool) -> tuple[dict[str, Any], bool]:
    from ocr.backends import read_frame

    t0 = time.perf_counter()
    try:
        r = read_frame(path, backend)
    except ValueError:
        return {
            "file": path,
            "mrz": None,
            "lines": None,
            "valid": False,
            "accepted": False,
            "failed_checks": [],
            "unsure": [],
            "rotation": 0,
            "layout": None,
            "confidence": 0.0,
            "seconds": 0.0,
            "error": "cannot read the image file",
        }, False
    ok = r.accepted if backend == "imdms" else r.valid
    lines = list(r.lines) if r.lines else None
    out: dict[str, Any] = {
        "file": path,
        "mrz": lines if lines is not None and (ok or show_rejected) else None,
        "lines": lines,
        "valid": bool(r.valid and lines is not None),
        "accepted": bool(ok and lines is not None),
        "failed_checks": list(r.failed_checks),
        "unsure": [{"line": k, "column": i} for k, i in r.unsure],
        "rotation": r.rotation,
        "layout": r.doc_type if lines is not None else None,
        "confidence": round(r.confidence, 4),
        "seconds": round(time.perf_counter() - t0, 4),
    }
    if r.field_confidence and lines is not None:
        out["low_confidence_fields"] = list(r.low_confidence_fields)
    return out, ok


def _video(path: str, backend: str, frames_to_agree: int) -> tuple[dict[str, Any], bool]:
    from config.models import CameraConfig
    from drivers.camera import CameraReader

    t0 = time.perf_counter()
    cfg = CameraConfig(
        type="camera", source=path, ocr_backend=backend, frames_to_agree=frames_to_agree
    )
    with CameraReader(cfg, name="ocr-cli") as reader:
        read = reader.read(timeout=None)
        frames = reader.frames_read  # type: ignore[attr-defined]
    lines = list(read.raw_lines) if read is not None else None
    return {
        "file": path,
        "mrz": lines,
        "valid": bool(read is not None and read.mrz is not None and read.mrz.valid),
        "confidence": read.confidence if read is not None else 0.0,
        "seconds": round(time.perf_counter() - t0, 4),
        "frames": frames,
    }, read is not None


def run(args: argparse.Namespace) -> int:
    from imdms.errors import ImdmsError

    if not args.images and not args.video:
        print("imdms ocr: give image files, or --video FILE", file=sys.stderr)
        return 2
    missing = [
        p for p in [*args.images, *([args.video] if args.video else [])] if not Path(p).exists()
    ]
    if missing:
        print(f"imdms ocr: no such file: {missing[0]} (check the path)", file=sys.stderr)
        return 2
    all_ok = True
    try:
        if args.video:
            out, ok = _video(args.video, args.backend, args.frames_to_agree)
            print(json.dumps(out), flush=True)
            all_ok = ok
        for path in args.images:
            out, ok = _image_line(path, args.backend, args.show_rejected)
            print(json.dumps(out), flush=True)
            all_ok = all_ok and ok
    except ImdmsError as err:
        print(f"imdms ocr: {err.message}" + (f" ({err.hint})" if err.hint else ""), file=sys.stderr)
        return 2
    return 0 if all_ok else 1


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "ocr",
        parents=[common],
        help="read the MRZ from images or a video with the camera OCR pipeline",
    )
    p.add_argument("images", nargs="*", metavar="IMAGE", help="image files (JPEG, PNG, ...)")
    p.add_argument(
        "--video", metavar="FILE", help="a video file or a folder of frames: print the fused result"
    )
    p.add_argument(
        "--backend",
        choices=["imdms", "passporteye"],
        default="imdms",
        help="OCR pipeline: ours (default) or PassportEye for comparison",
    )
    p.add_argument(
        "--frames-to-agree",
        type=int,
        default=2,
        metavar="N",
        help="video: frames whose unchecked fields must agree (default 2)",
    )
    p.add_argument(
        "--show-rejected",
        action="store_true",
        help="print the best reading even when it is not accepted",
    )
    p.set_defaults(func=run)
