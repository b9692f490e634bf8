"""What the booth is set up with (BoothSettings, from the config in terminal/app.py), the
officer's shift, and the start-up helpers that need no UI. No textual import."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from records.clock import utc_now
from records.codes import Direction
from records.record import CrossingRecord, new_record_id
from terminal.booking import Clock

log = logging.getLogger(__name__)


@dataclass(slots=True)
class BoothSettings:
    terminal_id: str = "demo-01"
    border_post: str = "MSU-BRIDGE"
    default_direction: Direction = Direction.ENTRY
    home_country: str = "LSO"
    software_version: str = ""
    data_dir: Path | None = None
    forwarding: bool = False  # a broker is configured: show online/offline
    receipts: bool = False  # the forwarder waits for receipts: show what awaits one
    demo_pin: str | None = None  # shown on the sign-in screen in --demo only
    idle_signout_s: float = 15 * 60
    repeat_scan_window_s: float = 30 * 60
    status_interval_s: float = 2.0
    photo_mode: str = "auto"  # "auto" | "halfcell" | "none"
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_record_id
    read_timeout_s: float = 0.25


@dataclass(slots=True)
class Shift:
    officer_id: str
    started_at: str
    records: list[CrossingRecord] = field(default_factory=list)
    language: str = "en"  # picked at sign-in (terminal/i18n.py), kept for the shift


def warm_up_imports() -> None:
    """Import what the first read and the first save need (call in a thread after the first
    paint): only a head start, so a failure is logged, never raised."""
    for name in ("terminal.screens.scan", "terminal.screens.document",
                 "terminal.screens.categorise", "terminal.screens.indicators",
                 "terminal.screens.manual_mrz", "records.stats"):
        try:
            importlib.import_module(name)
        except Exception:  # only a head start: a real failure shows where it is used
            log.info("warm-up import of %s failed", name)
    try:  # by name: mypy takes records/schema/ (the JSON folder) for the module
        importlib.import_module("records.schema")._fast_validator()
    except Exception:
        log.info("warm-up of the record validator failed")


def os_term_is_linux_console() -> bool:
    return os.environ.get("TERM", "") == "linux"
