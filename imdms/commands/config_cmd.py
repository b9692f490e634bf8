"""`imdms config`: validate, show or set the configuration."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("config", parents=[common], help="validate, show or set the configuration")
    p.set_defaults(func=not_built("config", 2))
