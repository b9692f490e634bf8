"""The booth's side of the chip readers: hand them the keys (the optically read MRZ, or the
card access number the officer typed) off the UI thread, and pass their progress to the UI.
A chip reader is any reader with `set_mrz` (and `set_can`, `on_progress` when it has them)."""

from __future__ import annotations

import logging
from typing import Any

from drivers.base import DocumentRead, DocumentReader

log = logging.getLogger(__name__)


def chip_readers(app: Any) -> list[DocumentReader]:
    """The readers that open chips with keys from the MRZ (and the CAN), and work."""
    readers = [r for r in app.readers if callable(getattr(r, "set_mrz", None))]
    return [r for r in readers if r.name not in app._failed_readers]


def report_progress(app: Any) -> None:
    """Have every chip reader report its progress to the UI as ChipProgress messages. The
    reader calls it on its reading thread: post, never wait (a slow UI must not slow the read)."""
    for reader in chip_readers(app):
        if hasattr(reader, "on_progress"):
            reader.on_progress = lambda f, n, t: app.post_message(app.ChipProgress(f, n, t))


def hand_can_to_chip(app: Any, can: str) -> bool:
    """Give the typed card access number to the chip readers that take one (off the UI thread,
    like the MRZ); they read the card on the reader again. True when one will."""
    readers = [r for r in chip_readers(app) if callable(getattr(r, "set_can", None))]
    if not readers:
        app.notify("The chip reader cannot use a card access number.", severity="warning")
        return False

    def hand_over() -> None:
        for reader in readers:
            try:
                reader.set_can(can)  # type: ignore[attr-defined]
            except Exception as err:  # not 6 digits: the modal checked, the reader too
                log.info("CAN not set on %s: %s", reader.name, err.__class__.__name__)

    app.run_worker(hand_over, name="chip-can", group="chip-keys", thread=True,
                   exit_on_error=False)
    return True


def hand_mrz_to_chip(app: Any, read: DocumentRead) -> bool:
    """Give the optically read MRZ to every reader that opens chips with it (off the UI thread:
    a reader may take a lock held by its read). True when one will try."""
    readers = chip_readers(app)
    if not readers or read.mrz is None:
        return False
    lines = list(read.mrz.lines)

    def hand_over() -> None:
        for reader in readers:
            try:
                reader.set_mrz(lines)  # type: ignore[attr-defined]
            except Exception as err:  # keys not derivable: the document is still usable
                log.info("chip keys not set on %s: %s", reader.name, err.__class__.__name__)
                app.post_message(app.DocumentRead(DocumentRead(
                    source="chip", reader_name=reader.name,
                    error="the chip keys cannot be taken from this MRZ",
                    extra={"kind": "no_keys_from_mrz",
                           "hint": "check the number and dates, or go on without the chip"},
                )))

    app.run_worker(hand_over, name="chip-keys", group="chip-keys", thread=True,
                   exit_on_error=False)
    return True
