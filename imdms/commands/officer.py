"""`imdms officer`: manage officer ids and PINs."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("officer", parents=[common], help="manage officer ids and PINs")
    p.set_defaults(func=not_built("officer", 4))
