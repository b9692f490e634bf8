"""`imdms report`: migration statistics report (central side)."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="migration statistics report (central side)")
    p.set_defaults(func=not_built("report", 6))
