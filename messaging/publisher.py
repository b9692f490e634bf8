"""Puts what the drain scheduler chose on the wire: the topic for each kind, the receipt
subscriptions a crossing needs before its first publish, the PUBLISH itself (QoS 1) and its
in-flight bookkeeping.

Threads: the forwarder's pump thread only (it owns the paho client; publish() here only queues
bytes in paho, link.step() moves them).

Rules:
- Publishing happens only while the link is up (after a CONNACK); a publish that finds the link
  gone marks it down at once, and the row stays in flight (paho keeps its copy: messaging/drain.py
  decides whether it is redelivered or re-sent).
- A suspect goes alone: the window must be empty first, and acknowledged rows are deleted before
  the outbox is asked for suspects again (an acknowledged probe must not be picked twice).
- Receipts go to the topic of the record's own terminal: an imported record (another terminal's
  export) is receipted there, so that topic is subscribed before its first publish (the broker
  handles the SUBSCRIBE first: same connection).
"""

from __future__ import annotations

import time

import paho.mqtt.client as mqtt

from messaging.deletes import Deletes
from messaging.drain import RECEIPTED_KINDS, DrainScheduler
from messaging.link_watch import LinkWatch
from messaging.outbox import Row
from messaging.receipts import ReceiptPolicy
from messaging.topics import Topics


class Publisher:
    """Fills the window from `drain` onto `client` while `link` is online."""

    def __init__(self, client: mqtt.Client, topics: Topics, drain: DrainScheduler,
                 deletes: Deletes, link: LinkWatch, receipts: ReceiptPolicy | None) -> None:
        self.client = client
        self.topics = topics
        self.drain = drain
        self.deletes = deletes
        self.link = link
        self.receipts = receipts
        self._receipt_subs: set[tuple[str, str]] = set()

    def link_up(self) -> None:
        """After a CONNACK: subscriptions are the broker session's; receipts of this terminal
        are subscribed at once, other terminals' before their first record."""
        self.client.subscribe(self.topics.watchlist, qos=1)
        self.client.subscribe(self.topics.watchlist_delta, qos=1)
        self.client.subscribe(self.topics.referral_receipt, qos=1)
        self.client.subscribe(self.topics.officers, qos=1)
        self.client.subscribe(self.topics.history_answer, qos=0)
        self._receipt_subs = set()
        if self.receipts is not None:
            self._subscribe_receipts(self.topics.border_post, self.topics.terminal_id)

    def fill(self) -> None:
        """Publish what fits now: a due suspect alone, else overdue receipts and both lanes."""
        drain = self.drain
        if drain.probe:
            return
        now = time.time()
        if drain.probe_due(now):
            if drain.inflight:
                return  # wait for the window to empty
            if not drain.suspects_queued:
                self.deletes.flush()  # acknowledged probes must not be picked again
            row = drain.next_probe(now)
            if row is not None:
                self._publish(row, probe=True)
                return
        room = drain.room(self.deletes.undeleted())
        if room <= 0:
            return  # window full, or the disk is slower than the link
        for row in drain.resends(now, time.monotonic(), room):
            if not self.link.online:
                return
            self._publish(row, probe=False)
            drain.resent += 1
            room -= 1
        if room <= 0:
            return
        for row in drain.next_rows(time.monotonic(), room):
            if not self.link.online:
                return
            self._publish(row, probe=False)

    def _subscribe_receipts(self, border_post: str, terminal_id: str) -> None:
        self._receipt_subs.add((border_post, terminal_id))
        self.client.subscribe(self.topics.receipt_for(border_post, terminal_id), qos=1)

    def _publish(self, row: Row, *, probe: bool) -> None:
        topic = self.topics.for_kind(row.kind, row.border_post, row.terminal_id)
        if self.drain.oversize(row, topic):
            return
        if self.receipts is not None and row.kind in RECEIPTED_KINDS \
                and (row.border_post, row.terminal_id) not in self._receipt_subs:
            self._subscribe_receipts(row.border_post, row.terminal_id)
        info = self.client.publish(topic, row.payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            # link dropped under us: paho keeps the copy, so it is in flight as any other (not
            # as a probe: it never reached the broker, so it cannot have caused the drop)
            self.link.online = False
            self.drain.sent(info.mid, row, probe=False)
            return
        self.drain.sent(info.mid, row, probe=probe)
