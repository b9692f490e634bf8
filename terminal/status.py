"""What the status bar shows: link state (forwarder-status.json) and outbox depth. No textual."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class LinkStatus:
    online: bool | None  # None: unknown (no forwarder status yet, or forwarding disabled)
    text: str

    @property
    def short(self) -> str:
        """For the one-line status bar (80 columns): the scan screen shows the full text."""
        return self.text.split(" (")[0]


@dataclass(frozen=True, slots=True)
class QueueStatus:
    pending: int | None
    quarantined: int = 0
    error: str | None = None

    @property
    def text(self) -> str:
        if self.pending is None:
            return "outbox ?"
        # "held": records the forwarder set aside (it cannot send them): the technician acts
        extra = f", {self.quarantined} held: call technician" if self.quarantined else ""
        return f"{self.pending} to send{extra}"


def read_link(data_dir: Path | None, *, forwarding: bool) -> LinkStatus:
    if not forwarding:
        return LinkStatus(None, "local only")
    if data_dir is None:
        return LinkStatus(None, "link ?")
    try:
        data: Any = json.loads((data_dir / "forwarder-status.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LinkStatus(False, "offline (forwarder not running)")
    except (OSError, ValueError):
        return LinkStatus(None, "link ?")
    if not isinstance(data, dict):
        return LinkStatus(None, "link ?")
    if data.get("online"):
        return LinkStatus(True, "online")
    return LinkStatus(False, "offline")


def read_queue(outbox: Any) -> QueueStatus:
    try:
        st = outbox.status()
    except Exception:  # the status bar must never take the booth down
        return QueueStatus(None, 0, "outbox status unavailable")
    return QueueStatus(
        int(getattr(st, "pending", 0)),
        int(getattr(st, "quarantined", 0) or 0),
        getattr(st, "last_error", None),
    )
