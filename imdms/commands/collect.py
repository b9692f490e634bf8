"""`imdms collect`: central collector: MQTT to database (central side)."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("collect", parents=[common], help="central collector: MQTT to database (central side)")
    p.set_defaults(func=not_built("collect", 6))
