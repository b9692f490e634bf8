"""`imdms ocr`: read the MRZ from images or a video with the camera OCR pipeline."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ocr", parents=[common], help="read the MRZ from images or a video with the camera OCR pipeline")
    p.set_defaults(func=not_built("ocr", 7))
