"""What becomes of acknowledged rows: batched deletes through the committer thread, or, with
receipts on, "awaiting receipt" until the collector's receipt makes them tombstones.

Threads: the methods run in the forwarder's pump thread; the Committer (messaging/committer.py)
does the SQLite work on its own thread and connection, so an fsync never stalls publishing.

Rules:
- A row is deleted only after its PUBACK; the scheduler (messaging/drain.py) collects the
  acknowledged seqs, `flush()` hands them over as one batch (one transaction).
- `undeleted()` counts acknowledged rows not yet deleted: what a crash now would re-send (same
  record_ids). The scheduler pauses publishing while it reaches two batches.
- With receipts, audit events are deleted on PUBACK here (the centre stores none yet, so
  nothing would receipt them); a receipt message that does not decode is logged and ignored.
- Before `start()` (and after `close()`) there is no committer: rows are deleted inline.
"""

from __future__ import annotations

import logging

from messaging import receipts as receipt_wire
from messaging.committer import Committer
from messaging.drain import DrainScheduler
from messaging.outbox import Outbox
from messaging.receipts import ReceiptPolicy

log = logging.getLogger("messaging.forwarder")  # the forwarder's log lines, as before the split


class Deletes:
    """Acknowledged rows of `drain` -> the outbox, through a committer thread once started."""

    def __init__(self, outbox: Outbox, drain: DrainScheduler,
                 receipts: ReceiptPolicy | None) -> None:
        self.outbox = outbox
        self.drain = drain
        self.receipts = receipts
        self.receipted = 0  # ids received in commit receipts
        self._committer: Committer | None = None

    def start(self) -> None:
        """Start the committer thread (a second connection to the outbox)."""
        self._committer = Committer(self.outbox, self.receipts)

    def undeleted(self) -> int:
        """Acknowledged rows not yet deleted: re-sent (same ids) if the process dies now."""
        return len(self.drain.acked) + (self._committer.queued if self._committer else 0)

    def flush(self, *, wait: bool = True) -> None:
        """Hand acknowledged rows to the committer; wait=True returns once they are deleted."""
        plain = self.drain.take_plain()
        if plain:  # audit events with receipts on: few, deleted here
            self.outbox.mark_sent(plain)
        if self._committer is None:
            seqs = self.drain.take_acked()
            if seqs:
                self.outbox.mark_sent(seqs)
            return
        if self.drain.acked or wait:
            self._committer.submit(self.drain.take_acked(), wait=wait)

    def receipt(self, payload: bytes, now: float) -> None:
        """A commit receipt from the collector: its ids' rows become tombstones."""
        try:
            ids = receipt_wire.decode(payload)
        except ValueError as err:
            log.warning("ignored a receipt message (%s)", err)
            return
        self.drain.receipt_seen_at = now
        self.receipted += len(ids)
        if self._committer is not None:
            self._committer.submit_receipts(ids)
        else:
            self.outbox.mark_receipted(ids)

    def close(self) -> None:
        """Finish the committer's queue and stop its thread (idempotent)."""
        if self._committer is not None:
            self._committer.close()
            self._committer = None
