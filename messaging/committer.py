"""The committer thread: deletes acknowledged outbox rows on its own connection (or, with
receipts, marks them as awaiting their receipt: messaging/receipts.py)."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading

from messaging.outbox import Outbox
from messaging.receipts import ReceiptPolicy

log = logging.getLogger(__name__)
SMALL_BATCH = 25


class Committer:
    """Deletes acknowledged rows on its own connection, so a synced COMMIT (an fsync) never
    stalls publishing. A failed delete only means those rows are re-sent later (same ids).

    The second connection comes from `Outbox.twin()`: opened by SQLite alone, never by an
    os.open/os.close of the file that would drop the process's locks (messaging/outbox_db.py)."""

    def __init__(self, outbox: Outbox, receipts: ReceiptPolicy | None = None) -> None:
        self._box = outbox.twin()
        self._receipts = receipts
        self._jobs: queue.SimpleQueue[tuple[list[int], threading.Event | None] | None] = \
            queue.SimpleQueue()
        self._failing = False
        self._count_lock = threading.Lock()
        self._queued = 0
        self._receipted: list[str] = []  # ids of receipts not yet applied (under _count_lock)
        self._thread = threading.Thread(target=self._run, name="outbox-committer", daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        """Rows submitted and not yet deleted (or given up on)."""
        return self._queued

    def submit(self, seqs: list[int], *, wait: bool = False) -> None:
        done = threading.Event() if wait else None
        with self._count_lock:
            self._queued += len(seqs)
        self._jobs.put((seqs, done))
        if done is not None:
            done.wait()

    def submit_receipts(self, ids: list[str]) -> None:
        """Apply a commit receipt (its rows become tombstones) off the pump thread. A receipt
        lost here (crash, disk) only means those records are sent and receipted again."""
        with self._count_lock:
            self._receipted += ids
        self._jobs.put(([], None))  # wakes the thread; the ids go with the next transaction

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            seqs, done = job
            waiting = [done] if done is not None else []
            stop = False
            # Jobs that queued up while the last COMMIT synced go in one transaction: on slow
            # storage the fsyncs per second then stay bounded instead of falling behind.
            while len(seqs) < 20_000:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                seqs = seqs + more[0]
                if more[1] is not None:
                    waiting.append(more[1])
            with self._count_lock:
                ids, self._receipted = self._receipted, []
            try:
                if seqs:
                    self._delete(seqs)
                if ids:
                    self._box.mark_receipted(ids)
                if self._failing:
                    log.info("outbox deletes work again")
                    self._failing = False
            except Exception as err:  # noqa: BLE001 - keep forwarding; rows are re-sent later
                if not self._failing:
                    log.error("cannot delete forwarded rows (%s): they will be sent again",
                              err.__class__.__name__)
                    self._failing = True
            finally:
                with self._count_lock:
                    self._queued -= len(seqs)
                for event in waiting:
                    event.set()
            if stop:
                break

    def _delete(self, seqs: list[int]) -> None:
        try:
            self._apply(seqs)
        except sqlite3.OperationalError:
            if len(seqs) <= SMALL_BATCH:
                raise
            # a nearly full disk: small transactions fit in the WAL the checkpoints reuse
            for start in range(0, len(seqs), SMALL_BATCH):
                self._apply(seqs[start : start + SMALL_BATCH])

    def _apply(self, seqs: list[int]) -> None:
        if self._receipts is None:
            self._box.mark_sent(seqs)
        else:  # audit rows too: the forwarder hands over only the rows that await receipts
            self._box.mark_forwarded(seqs, self._receipts)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(30)
        self._box.close()
