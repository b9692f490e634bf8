"""`imdms doctor`: check config, readers, camera, chip, broker, disk, clock and outbox."""

from __future__ import annotations

import argparse
from typing import Any

from imdms.commands._stub import not_built


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("doctor", parents=[common], help="check config, readers, camera, chip, broker, disk, clock and outbox")
    p.set_defaults(func=not_built("doctor", 5))
