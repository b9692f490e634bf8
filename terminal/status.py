"""What the status bar shows: where and who, the readers, the link (forwarder-status.json), the
outbox depth and, with receipts on, what awaits a receipt; and the reader states the booth writes
for the forwarder's heartbeat (<data_dir>/reader-state.json). No textual import."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from drivers.base import ReaderState, ReaderStatus
from terminal.i18n import N_, _
from terminal.ports import CountsOutbox

READER_STATE_FILE = "reader-state.json"  # messaging.health.READER_STATE_FILE reads it


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
    receipts: bool = False  # the forwarder keeps records until the collector's receipt
    awaiting_receipt: int = 0  # of `pending`: sent, no receipt yet
    oldest_unreceipted_age_s: float | None = None

    @property
    def text(self) -> str:
        if self.pending is None:
            return _("outbox ?")
        # "held": records the forwarder set aside (it cannot send them): the technician acts
        extra = (_(", {n} held: call technician").format(n=self.quarantined)
                 if self.quarantined else "")
        return _("{n} to send").format(n=self.pending) + extra + self.receipt_text

    @property
    def receipt_text(self) -> str:
        """", 3 await receipt (oldest 12m)" with receipts on and records awaiting, else ""."""
        if not self.receipts or not self.awaiting_receipt:
            return ""
        age = self.oldest_unreceipted_age_s
        oldest = _(" (oldest {age})").format(age=_age(age)) if age is not None else ""
        return _(", {n} await receipt").format(n=self.awaiting_receipt) + oldest


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)}s"
    if seconds < 2 * 3600:
        return f"{int(seconds // 60)}m"
    return f"{int(seconds // 3600)}h"


def read_link(data_dir: Path | None, *, forwarding: bool) -> LinkStatus:
    if not forwarding:
        return LinkStatus(None, N_("local only"))
    if data_dir is None:
        return LinkStatus(None, N_("link ?"))
    try:
        data: Any = json.loads((data_dir / "forwarder-status.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        # TRANSLATORS: keep " (": the status bar shows only what comes before it
        return LinkStatus(False, N_("offline (forwarder not running)"))
    except (OSError, ValueError):
        return LinkStatus(None, N_("link ?"))
    if not isinstance(data, dict):
        return LinkStatus(None, N_("link ?"))
    if data.get("online"):
        return LinkStatus(True, N_("online"))
    return LinkStatus(False, N_("offline"))


def read_queue(outbox: CountsOutbox, *, receipts: bool = False) -> QueueStatus:
    try:
        st = outbox.status()
    except Exception:  # the status bar must never take the booth down
        return QueueStatus(None, 0, _("outbox status unavailable"))
    age = getattr(st, "oldest_unreceipted_age_s", None)  # a test's fake may not have them
    return QueueStatus(
        # crossings only: audit events are not travellers the officer has to wait for
        int(getattr(st, "crossings_pending", getattr(st, "pending", 0))),
        int(getattr(st, "quarantined", 0) or 0),
        getattr(st, "last_error", None),
        receipts=receipts,
        awaiting_receipt=int(getattr(st, "awaiting_receipt", 0) or 0),
        oldest_unreceipted_age_s=None if age is None else float(age),
    )


SEVERITY = [ReaderStatus.ERROR, ReaderStatus.DISCONNECTED, ReaderStatus.WAITING,
            ReaderStatus.CONNECTED]


def reader_summary(states: Mapping[str, ReaderState]) -> tuple[str, str]:
    """(text, style class "ok" | "bad") for the worst reader state."""
    if not states:
        return _("no reader"), "bad"
    worst = min(states.values(), key=lambda s: SEVERITY.index(s.status))
    good = worst.status in (ReaderStatus.CONNECTED, ReaderStatus.WAITING)
    # "ok" keeps the bar within 80 columns; the scan screen shows each reader's state
    text = _("reader ok") if good else _("reader {state}").format(state=worst.status.value)
    return text, "ok" if good else "bad"


def status_line(where: str, who: str, direction: str, states: Mapping[str, ReaderState],
                link: LinkStatus, queue: QueueStatus) -> Text:
    """The one-line bar: " POST/TERMINAL | officer | ENTRY | reader ok | online | 0 to send"."""
    reader, rstyle = reader_summary(states)
    link_style = {True: "bold green", False: "bold yellow", None: ""}[link.online]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {where} ", style="bold")
    text.append(f"| {who} | {direction} | ")
    text.append(reader, style="bold green" if rstyle == "ok" else "bold red reverse")
    text.append(" | ")
    text.append(_(link.short), style=link_style)  # LinkStatus keeps the msgid
    text.append(f" | {queue.text}")
    return text
