"""`imdms chip`: read an ePassport chip over PC/SC (chip read)."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("chip", parents=[common], help="read an ePassport chip over PC/SC (chip read)")
    p.set_defaults(func=not_built("chip", 9))
