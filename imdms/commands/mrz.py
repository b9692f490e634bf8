"""`imdms mrz`: parse MRZ lines from stdin and print JSON (mrz parse)."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("mrz", parents=[common], help="parse MRZ lines from stdin and print JSON (mrz parse)")
    p.set_defaults(func=not_built("mrz", 2))
