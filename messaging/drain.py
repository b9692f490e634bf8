"""The drain scheduler: which outbox rows to publish next, which to retry, which to delete.

Pure over the Outbox: no sockets, no threads, no paho. Given the outbox's rows, the in-flight
window, the acknowledgements and the time, it says what to publish (row, alone or not) and
which acknowledged rows may be deleted; the forwarder (messaging/forwarder.py) does the
publishing and hands deletes to the committer. Every method runs in the forwarder's pump thread.
Times are passed in: `now` is time.time() (retry times are stored as wall clock), `mono` is
time.monotonic() (batching and polling intervals).

Rules (docs/messaging.md):
- At most `window` records unacknowledged (the broker's Receive Maximum respected), and none
  while two batches of acknowledged rows wait to be deleted (`undeleted` >= 2 * ack_batch), so a
  crash re-sends at most the window plus two batches (same record_ids).
- Two lanes: rows queued after the link came up ("live", seq > boundary, not imported) go before
  the backlog; each lane is in queue order. The backlog is read ahead READ_AHEAD rows at a time;
  an empty live lane is asked at most every LIVE_CHECK_S.
- When the link drops with records in flight, they are redelivered once (MQTT 3.1.1 4.4 and
  MQTT 5 4.4: on a resumed session the same PUBLISH, same packet id, DUP=1; paho sends them from
  its copies, this keeps their flights). If the session was not resumed, or the link drops
  again while redelivered records are in flight, they become suspects, published later one at a
  time with nothing else in flight ("probe"). A probe that drops the link alone, or any record
  refused in a PUBACK (MQTT 5 reason >= 0x80), counts an attempt and waits (doubling, jittered,
  capped); after the outbox's `quarantine_after` it moves to quarantine. Never dropped.
- A record larger than the broker's Maximum Packet Size is quarantined, not published.
- With receipts (messaging/receipts.py), an acknowledged crossing awaits the collector's
  receipt; overdue ones are re-sent in the window. Audit events are deleted on PUBACK (nothing
  at the centre receipts them yet).
"""

from __future__ import annotations

import logging
import random
from collections import deque
from dataclasses import dataclass

from messaging.outbox import Outbox, Row
from messaging.receipts import ReceiptPolicy

log = logging.getLogger("messaging.forwarder")  # the forwarder's log lines, as before the split

LIVE_CHECK_S = 0.02  # a live record waits at most this plus one window
READ_AHEAD = 500  # backlog rows read per query (~1 MB of payloads at most)
PUBLISH_OVERHEAD = 64  # fixed header + topic length + packet id + properties, roughly
RESEND_CHECK_S = 0.5  # overdue receipts are looked for at most this often
RECEIPTED_KINDS = frozenset({"crossing"})  # kinds the collector stores, hence receipts


@dataclass(slots=True)
class Flight:
    """A published, unacknowledged row (keyed by paho's message id)."""

    seq: int
    record_id: str
    probe: bool
    attempts: int
    kind: str = "crossing"
    redelivered: bool = False  # kept across one link drop: the next drop makes it a suspect


class DrainScheduler:
    """Lane scheduling, the in-flight window, suspects and ack batching for one outbox."""

    def __init__(
        self, outbox: Outbox, *, window: int, ack_batch: int, ack_flush_s: float,
        retry_base_s: float, backoff_max_s: float, receipts: ReceiptPolicy | None,
    ) -> None:
        self.outbox = outbox
        self.max_window = window
        self.window = window
        self.max_packet: int | None = None
        self.ack_batch = ack_batch
        self.ack_flush_s = ack_flush_s
        self.retry_base_s = retry_base_s
        self.backoff_max_s = backoff_max_s
        self.receipts = receipts
        self.inflight: dict[int, Flight] = {}
        self.probe = False
        self.acked: list[int] = []  # acknowledged, to delete (or, with receipts, to mark)
        self.acked_plain: list[int] = []  # with receipts: acknowledged rows nobody receipts
        self._first_ack_at = 0.0
        self._boundary = 0
        self._live_cursor = 0
        self._backlog_cursor = 0
        self._ahead: deque[Row] = deque()  # backlog rows read ahead, not yet published
        self._live_check_at = 0.0
        self.lanes_empty = False
        self.suspect_due: float | None = None
        self._suspects: deque[Row] = deque()
        self._redelivered: set[int] = set()  # seqs paho redelivers this connection: not re-read
        self._up = False  # a CONNACK since the last link loss
        self._resend_check_at = 0.0
        self.receipt_seen_at: float | None = None  # central is alive and receipting
        self.published = 0
        self.acknowledged = 0
        self.resent = 0

    @property
    def idle(self) -> bool:
        """Nothing in flight, both lanes read empty, no suspect waiting."""
        return not self.inflight and self.lanes_empty and self.suspect_due is None

    # -- the link ---------------------------------------------------------------------------

    def link_up(self, receive_maximum: int | None, max_packet: int | None, *,
                resumed: bool) -> None:
        """A CONNACK: restart both lanes and take the broker's limits. Call after the deletes
        were flushed. resumed: the broker kept the session and paho redelivers the kept flights
        (DUP=1); else they become suspects (still in the outbox, published alone later)."""
        self.window = max(1, min(self.max_window, receive_maximum or 65535))
        self.max_packet = max_packet
        kept = list(self.inflight.values())
        self._redelivered = {f.seq for f in kept} if resumed else set()
        self._up = True
        if not resumed:
            self.inflight.clear()
            if kept:
                self.outbox.mark_suspects([f.seq for f in kept])
        self.probe = False
        self._boundary = self.outbox.max_seq()
        self._live_cursor = self._boundary
        self._live_check_at = 0.0
        self._backlog_cursor = 0
        self._ahead.clear()
        self.lanes_empty = False
        self._suspects.clear()
        self.suspect_due = self.outbox.next_retry_at()
        self._resend_check_at = 0.0

    def link_lost(self, reason: str) -> bool:
        """The link dropped; call after the acks were taken. Returns True when the flights are
        kept for redelivery (the caller keeps paho's copies: link_up(resumed=...) decides).
        Else what was in flight becomes suspect (a lone probe counts an attempt: it likely
        caused the drop, e.g. too large). A failed attempt to connect changes nothing."""
        if not self._up:
            return bool(self.inflight)
        self._up = False
        flights = list(self.inflight.values())
        self.probe = False
        if flights and not any(f.probe or f.redelivered for f in flights):
            for f in flights:
                f.redelivered = True
            return True
        self.inflight.clear()
        if len(flights) == 1 and flights[0].probe:
            f = flights[0]
            why = f"link dropped while this record was published alone ({reason})"
            if self.outbox.mark_failed(f.seq, why, count=True,
                                       retry_in_s=self.retry_in(f.attempts)):
                log.warning("record %s quarantined: %s", f.record_id, why)
        elif flights:
            self.outbox.mark_suspects([f.seq for f in flights])
        return False

    def retry_in(self, attempts: int) -> float:
        """Wait before a failed record is tried again: doubling per attempt, jittered, capped."""
        return min(self.retry_base_s * 2.0 ** attempts * random.uniform(0.5, 1.5),
                   self.backoff_max_s)

    # -- what to publish --------------------------------------------------------------------

    def probe_due(self, now: float) -> bool:
        """A suspect's retry time has come (it then goes alone: see next_probe)."""
        return not self.probe and self.suspect_due is not None and self.suspect_due <= now

    @property
    def suspects_queued(self) -> bool:
        """Suspects already read from the outbox, waiting for their turn alone."""
        return bool(self._suspects)

    def next_probe(self, now: float) -> Row | None:
        """The suspect to publish alone now, once the window is empty (and, before the outbox is
        asked again, the deletes flushed: an acknowledged probe must not be picked again);
        None: no suspect is due any more."""
        if not self._suspects:
            self._suspects.extend(self.outbox.due_suspects(now))
        if self._suspects:
            return self._suspects.popleft()
        self.suspect_due = self.outbox.next_retry_at()
        return None

    def room(self, undeleted: int) -> int:
        """Free places in the window; 0 while the disk is slower than the link (`undeleted`:
        acknowledged rows not yet deleted, here and in the committer)."""
        if self.probe or undeleted >= 2 * self.ack_batch:
            return 0
        return self.window - len(self.inflight)

    def resends(self, now: float, mono: float, room: int) -> list[Row]:
        """With receipts: rows whose receipt is overdue (same record_id), at most `room`."""
        if self.receipts is None or mono < self._resend_check_at:
            return []
        rows = self.outbox.claim_resends(now, room, self.receipts, self.receipt_seen_at)
        # a full claim means more may be due: look again at the next refill
        self._resend_check_at = mono + (0.0 if len(rows) >= room else RESEND_CHECK_S)
        if rows:
            log.info("re-sending %d records whose receipt is overdue", len(rows))
        return rows

    def next_rows(self, mono: float, room: int) -> list[Row]:
        """Up to `room` rows: the live lane first, then the backlog (read ahead in chunks).

        Refilled on every ack (a window kept full; batches of acks stall on the broker's
        Nagle), so no query per refill."""
        rows: list[Row] = []
        if mono >= self._live_check_at:
            rows = self.outbox.fetch(self._live_cursor, room, live=True)
            if rows:
                self._live_cursor = rows[-1].seq
            else:
                self._live_check_at = mono + LIVE_CHECK_S
        ahead = self._ahead
        while len(rows) < room:
            if not ahead:
                more = self.outbox.fetch(self._backlog_cursor, READ_AHEAD, upto=self._boundary)
                if not more:
                    break
                self._backlog_cursor = more[-1].seq
                if self._redelivered:
                    more = [r for r in more if r.seq not in self._redelivered]
                ahead.extend(more)
            for _ in range(min(room - len(rows), len(ahead))):
                rows.append(ahead.popleft())
        self.lanes_empty = not rows
        return rows

    def oversize(self, row: Row, topic: str) -> bool:
        """True (and the row quarantined) when it exceeds the broker's Maximum Packet Size."""
        if self.max_packet is None:
            return False
        size = len(row.payload.encode("utf-8")) + len(topic) + PUBLISH_OVERHEAD
        if size <= self.max_packet:
            return False
        why = f"record larger than the broker accepts ({size} > {self.max_packet} bytes)"
        log.warning("record %s quarantined: %s", row.record_id, why)
        self.outbox.quarantine(row.seq, why)
        return True

    def sent(self, mid: int, row: Row, *, probe: bool) -> None:
        """paho holds the PUBLISH as message `mid` (sent, or kept for the next connection)."""
        self.inflight[mid] = Flight(row.seq, row.record_id, probe, row.attempts, row.kind)
        self.probe = self.probe or probe
        self.published += 1

    # -- acknowledgements -------------------------------------------------------------------

    def ack(self, mid: int, code: int, text: str, mono: float) -> str | None:
        """A PUBACK (MQTT 5 reason `code`, paho's `text`). Returns the refusal (for the status
        file) when the broker refused the record, else None."""
        flight = self.inflight.pop(mid, None)
        if flight is None:
            return None  # status publish, or a stale mid from a dropped connection
        if flight.probe:
            self.probe = False
        if code < 0x80:
            if self.receipts is not None and flight.kind not in RECEIPTED_KINDS:
                self.acked_plain.append(flight.seq)
                return None
            if not self.acked:
                self._first_ack_at = mono
            self.acked.append(flight.seq)
            self.acknowledged += 1
            return None
        why = f"broker refused the record: {text} (0x{code:02x})"
        if self.outbox.mark_failed(flight.seq, why, count=True,
                                   retry_in_s=self.retry_in(flight.attempts)):
            log.warning("record %s quarantined: %s", flight.record_id, why)
        else:
            log.info("record %s refused by the broker (0x%02x); will retry", flight.record_id,
                     code)
        if not self._suspects:
            self.suspect_due = self.outbox.next_retry_at()
        return why

    def deletes_due(self, mono: float) -> bool:
        """A batch of acknowledged rows is full, or its first ack is ack_flush_s old."""
        return bool(self.acked) and (len(self.acked) >= self.ack_batch
                                     or mono - self._first_ack_at >= self.ack_flush_s)

    def take_acked(self) -> list[int]:
        """The acknowledged rows to delete (or mark awaiting receipt); the list is emptied."""
        seqs, self.acked = self.acked, []
        return seqs

    def take_plain(self) -> list[int]:
        """With receipts: acknowledged rows nobody receipts (audit events), to delete now."""
        seqs, self.acked_plain = self.acked_plain, []
        return seqs
