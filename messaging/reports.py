"""What the forwarder reports about itself: the heartbeat it publishes (its wire format is
messaging/heartbeat.py, shared with the centre) and forwarder-status.json for the booth.

forwarder-status.json, read by the booth's status bar (terminal/status.py):

    {"online": true, "since": "2026-12-03T13:05:01Z", "last_error": null,
     "updated_at": "...", "receipts": false, "awaiting_receipt": 0,
     "oldest_unreceipted_age_s": null, "never_receipted": 0}

`online`/`since`/`last_error` describe the broker link (messaging/link_watch.py); the receipt
figures are present when the outbox could be read. Written atomically (temp file + rename, mode
0644: counts and ages only, no personal data) on each link change, at each heartbeat, every
STATUS_EVERY_S, and once more on stop ("forwarder stopped").

Threads: called from the forwarder's pump thread only. A status write that fails (disk full,
read-only data_dir) is logged and skipped: the status bar then shows the last state, the drain
goes on.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from imdms import __version__
from imdms.errors import OutboxError
from messaging import health
from messaging.heartbeat import Heartbeat
from messaging.link_watch import LinkWatch
from messaging.outbox import Outbox
from messaging.receipts import NEVER_RECEIPTED
from messaging.topics import Topics
from records.clock import utc_now_iso
from records.record import boot_id

log = logging.getLogger("messaging.forwarder")  # the forwarder's log lines, as before the split

STATUS_EVERY_S = 15.0


def heartbeat(outbox: Outbox, topics: Topics, data_dir: Path,
              watchlist_version: str | None) -> Heartbeat:
    """The heartbeat now: outbox figures, disk, clock state, reader states (the booth's
    reader-state.json), watchlist version. Raises OutboxError/sqlite3.Error."""
    st = outbox.status()
    ages = st.to_dict()
    return Heartbeat(
        # wall clock and monotonic clock read together: once the clock is synchronised, this
        # pair lets the collector date the records made earlier in the same boot
        monotonic_ns=time.monotonic_ns(),
        sent_at=utc_now_iso(),
        boot_id=boot_id(),
        terminal_id=topics.terminal_id,
        border_post=topics.border_post,
        software_version=__version__,
        outbox_pending=st.pending,
        outbox_pending_audit=st.pending_audit,
        outbox_quarantined=st.quarantined,
        oldest_pending_age_s=ages["oldest_age_s"],
        outbox_awaiting_receipt=st.awaiting_receipt,
        oldest_unreceipted_age_s=ages["oldest_unreceipted_age_s"],
        disk_free_mb=round(outbox.free_mb(), 1),
        clock_synced=health.clock_synced(),
        readers=health.reader_states(data_dir),
        watchlist_version=watchlist_version,
    )


def status_data(link: LinkWatch, outbox: Outbox, *, receipts: bool) -> dict[str, Any]:
    """The JSON object of forwarder-status.json (see the module docstring)."""
    data: dict[str, Any] = {
        "online": link.online,
        "since": health.utc_iso(link.since),
        "last_error": link.last_error,
        "updated_at": health.utc_iso(),
        "receipts": receipts,
    }
    try:
        st = outbox.status()
        data["awaiting_receipt"] = st.awaiting_receipt
        data["oldest_unreceipted_age_s"] = st.to_dict()["oldest_unreceipted_age_s"]
        data["never_receipted"] = outbox.quarantine_reasons().get(NEVER_RECEIPTED, 0)
    except (OutboxError, sqlite3.Error) as err:
        log.debug("status figures unavailable (%s)", err.__class__.__name__)
    return data


def write_status(data_dir: Path, link: LinkWatch, outbox: Outbox, *, receipts: bool) -> None:
    """Rewrite <data_dir>/forwarder-status.json; never raises (a failure is logged)."""
    data = status_data(link, outbox, receipts=receipts)
    try:
        health.write_json_atomic(Path(data_dir) / health.STATUS_FILE, data)
    except OSError as err:
        log.warning("cannot write %s (%s)", health.STATUS_FILE, err.__class__.__name__)
