"""Selectable OCR backends: ours ("imdms") and PassportEye (kept for comparison only).

    read_frame(image, backend="imdms") -> OcrResult

PassportEye (tesseract underneath) is imported lazily; when it or tesseract is missing,
ReaderUnavailable says what to install.
"""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path
from typing import Any

import cv2
from numpy.typing import NDArray

from imdms.errors import ReaderUnavailable
from ocr.reader import OcrResult, read_mrz_image

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)

BACKENDS = ("imdms", "passporteye")


def _passporteye() -> Any:
    try:
        from passporteye import read_mrz
    except ImportError as err:
        raise ReaderUnavailable(
            "the passporteye OCR backend is not installed",
            "pip install 'imdms-terminal[camera]' (and apt-get install tesseract-ocr), "
            'or use ocr_backend = "imdms"',
        ) from err
    return read_mrz


def read_passporteye(image: Img | str | Path) -> OcrResult:
    """PassportEye's reading of one frame as an OcrResult (confidence = its valid_score / 100)."""
    read_mrz = _passporteye()
    t0 = time.perf_counter()
    if isinstance(image, (str, Path)):
        src: Any = str(image)
    else:
        ok, buf = cv2.imencode(".png", image)
        if not ok:
            return OcrResult(seconds=time.perf_counter() - t0)
        src = io.BytesIO(buf.tobytes())
    try:
        with warnings.catch_warnings():  # scikit-image deprecation noise on every frame
            warnings.simplefilter("ignore")
            mrz = read_mrz(src)
    except Exception:  # noqa: BLE001 - PassportEye raises anything on odd frames: "no MRZ"
        mrz = None
    secs = time.perf_counter() - t0
    if mrz is None:
        return OcrResult(seconds=secs)
    raw = str(mrz.aux.get("raw_text", ""))
    lines = tuple(ln.strip().replace(" ", "") for ln in raw.splitlines() if ln.strip())
    valid = bool(mrz.valid)
    return OcrResult(
        lines=lines or None,
        valid=valid,
        confidence=float(getattr(mrz, "valid_score", 0)) / 100.0 if valid else 0.0,
        seconds=secs,
        doc_type=str(getattr(mrz, "mrz_type", "") or "") or None,
    )


def read_frame(image: Img | str | Path, backend: str = "imdms") -> OcrResult:
    """Read one frame with the named backend."""
    if backend == "imdms":
        return read_mrz_image(image)
    if backend == "passporteye":
        return read_passporteye(image)
    raise ReaderUnavailable(
        f"unknown OCR backend {backend!r}", "use one of: " + ", ".join(BACKENDS)
    )


def read_lines_passporteye(path: str) -> list[str] | None:
    """Scorer entry point: PassportEye's lines as it read them (None: no MRZ found)."""
    r = read_passporteye(path)
    return list(r.lines) if r.lines else None
