"""Saving a crossing: the outbox write runs in a worker thread, and its result comes back as a
message (never a callback); and what the booth remembers of the documents it saved (a digest,
never the number) to notice a repeat scan.

`save(app, record, requester)` writes; the booth then posts `Saved` or `NotSaved` to the
screen that asked (only then may a screen say "saved"). Both messages stop at that screen.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from textual.message import Message

from imdms.errors import DiskFullError, ImdmsError
from ocr.mrz import MrzRecord
from records.record import CrossingRecord
from terminal.i18n import _
from terminal.ports import OutboxLike

log = logging.getLogger(__name__)


class Saved(Message):
    """To the screen that asked: the outbox accepted `record`."""

    bubble = False

    def __init__(self, record: CrossingRecord) -> None:
        super().__init__()
        self.record = record


class NotSaved(Message):
    """To the screen that asked: nothing was stored (the booth shows why in an ErrorModal)."""

    bubble = False


def write(outbox: OutboxLike, record: CrossingRecord) -> tuple[str, str] | None:
    """Store `record` (blocking: call from a worker). None when stored, else the (message,
    hint) for the officer; never raises."""
    try:
        outbox.add(record)
    except DiskFullError as err:
        return (_("NOT SAVED: the disk is full. {reason}").format(reason=err.message),
                _("nothing saved before is lost and this traveller stays on screen: call the "
                  "technician to free space (imdms doctor), then press F2 again"))
    except ImdmsError as err:
        return (_("NOT SAVED: {reason}").format(reason=err.message),
                _("{hint}; the traveller stays on screen").format(
                    hint=err.hint or _("check the entries and press F2 again")))
    except Exception as err:
        log.warning("outbox add failed: %s", err.__class__.__name__)
        return (_("NOT SAVED: storage fault ({error})").format(error=err.__class__.__name__),
                _("the traveller stays on screen; press F2 to retry, call the technician if it "
                  "fails again"))
    return None


def document_key(doc: MrzRecord | CrossingRecord | None) -> str | None:
    """A digest of (document code, issuing state, number): the booth remembers which documents
    it saved without keeping the numbers themselves."""
    number = doc.document_number if doc is not None else None
    if not number:
        return None
    code = (doc.document_code if doc is not None else None) or ""
    state = (doc.issuing_state if doc is not None else None) or ""
    return hashlib.sha256(f"{code[:1]}|{state}|{number}".encode()).hexdigest()


class SavedDocuments:
    """The crossings saved at this booth (any officer) by document, for `repeat_of`."""

    def __init__(self, window_s: Callable[[], float]) -> None:
        self._window_s = window_s
        self._saved: dict[str, tuple[float, CrossingRecord]] = {}

    def repeat_of(self, mrz: MrzRecord | None) -> CrossingRecord | None:
        """The crossing saved for the same document within the repeat-scan window, if any: a
        second scan is often the same person saved twice."""
        key = document_key(mrz)
        window = self._window_s()
        if key is None or window <= 0 or key not in self._saved:
            return None
        when, record = self._saved[key]
        if time.monotonic() - when > window:
            return None
        return record

    def remember(self, record: CrossingRecord) -> None:
        key = document_key(record)
        if key is None:
            return
        if record.void is not None:
            self._saved.pop(key, None)  # a voided duplicate leaves the other one
        elif record.amends is None:
            self._saved[key] = (time.monotonic(), record)
