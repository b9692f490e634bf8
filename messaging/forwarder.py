"""The forwarder: drains the outbox to the central broker over MQTT (QoS 1), never losing a row.

This module is the event loop and the link's life cycle; its jobs live beside it, each module
stating its own rules: messaging/mqtt_client.py (the paho client, shared with the collector),
messaging/link.py (paho's external loop, reconnect backoff), messaging/drain.py (what to
publish, redeliver, retry, quarantine: pure over the Outbox), messaging/publisher.py (onto the
wire), messaging/deletes.py + committer.py (acknowledged rows), messaging/link_watch.py (outage
state and its log lines), messaging/reports.py (heartbeat, forwarder-status.json),
messaging/watchlist_sub.py (the watchlist subscription), messaging/history_relay.py (the
booth's history questions, relayed sealed).

Threads: one pump thread (`run()`) owns the paho client, all outbox reads and every publish;
paho's callbacks run inside it (in link.step()) and only note events and acks. The committer
thread deletes acknowledged rows (an fsync never stalls publishing). The history relay's thread
takes the booth's questions from <data_dir>/history.sock and wakes the pump to publish them.

Rules (see docs/messaging.md): paho is never the queue (publish only after a CONNACK; paho's
copies live at most across one reconnect, for the redelivery MQTT requires); a row is deleted
only after its PUBACK, or with receipts (messaging/receipts.py) after the collector's receipt.
`run(exit_when_empty=True)` returns once nothing is pending; at once when the outbox is empty at
start (no connection attempt: an unreachable broker does not keep a one-shot sync up).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from messaging import referral_inbox, reports, sdnotify
from messaging.deletes import Deletes
from messaging.drain import DrainScheduler
from messaging.history_relay import HistoryRelay
from messaging.link import Link, LinkSettings, settings_from_config
from messaging.link_watch import LinkWatch, refusal
from messaging.mqtt_client import connect_properties
from messaging.outbox import Outbox
from messaging.publisher import Publisher
from messaging.receipts import ReceiptPolicy
from messaging.topics import OFFLINE, ONLINE, Topics
from messaging.watchlist import Watchlist
from messaging.watchlist_sub import WatchlistSubscription

__all__ = ["Forwarder", "LinkSettings", "settings_from_config"]  # LinkSettings: messaging.link
log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 24 * 3600  # keep the broker session (watchlist subscription) a week
# idle, the pump waits on the socket this long before it looks at the outbox again: the booth
# adds records from another process, so this bounds how long a new crossing waits (was 1 s:
# half a second of every record's median latency to its receipt)
IDLE_POLL_S = 0.1


class Forwarder:
    """Drain `outbox` to the broker until `stop` is set (see module docstring).

    Args:
        settings: the link.
        outbox: an open Outbox (the forwarder's own instance: not shared with the UI).
        topics: topic names of this terminal.
        data_dir: where forwarder-status.json, watchlist.json and referral receipts are written.
        watchlist_key: the centre's Ed25519 watchlist key (PEM); None: <data_dir>/watchlist.pub.
        retry_base_s: first wait before re-publishing a refused suspect (doubles per attempt).
        ack_batch, ack_flush_s: delete acknowledged rows every N acks or after this long.
        drain_timeout_s: on stop, how long to wait for in-flight PUBACKs.
        receipts: keep acknowledged crossings until the collector's receipt (None: delete on
            PUBACK, the behaviour without a receipting collector).
    """

    def __init__(
        self,
        settings: LinkSettings,
        outbox: Outbox,
        topics: Topics,
        data_dir: Path,
        *,
        retry_base_s: float = 2.0,
        ack_batch: int = 500,
        ack_flush_s: float = 0.05,
        drain_timeout_s: float = 5.0,
        receipts: ReceiptPolicy | None = None,
        watchlist_key: Path | None = None,
        on_officers: Callable[[bytes], object] | None = None,
    ) -> None:
        self.s = settings
        self.outbox = outbox
        self.topics = topics
        self.data_dir = Path(data_dir)
        self.ack_batch = ack_batch
        self.ack_flush_s = ack_flush_s
        self.drain_timeout_s = drain_timeout_s
        self.receipts = receipts
        self.drain = DrainScheduler(
            outbox, window=settings.window, ack_batch=ack_batch, ack_flush_s=ack_flush_s,
            retry_base_s=retry_base_s, backoff_max_s=settings.backoff_max_s, receipts=receipts,
        )
        self.deletes = Deletes(outbox, self.drain, receipts)
        self.events: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.on_officers = on_officers  # applies the signed officer directory (pump thread)
        self.watch = WatchlistSubscription(self.data_dir, topics.watchlist, watchlist_key)
        self.link_watch = LinkWatch(settings)  # pump thread only
        self.link = Link(settings, self.topics.status, OFFLINE)
        self.client = client = self.link.client
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        self.link.on_connect_fail = self._on_connect_fail
        self._ack_buf: list[tuple[int, int, str]] = []
        self.publisher = Publisher(client, topics, self.drain, self.deletes, self.link_watch,
                                   receipts)
        self.history = HistoryRelay(self.data_dir, lambda: self.link_watch.online)

    @property
    def connected(self) -> bool:
        return self.link_watch.online

    @property
    def last_error(self) -> str | None:
        return self.link_watch.last_error

    @property
    def published(self) -> int:
        return self.drain.published

    @property
    def acknowledged(self) -> int:
        return self.drain.acknowledged

    @property
    def watchlist(self) -> Watchlist:
        return self.watch.watchlist

    # -- paho callbacks (run inside link.step(), in the pump thread: they only note) -----------

    def _on_connect(self, client: mqtt.Client, _u: Any, flags: Any, rc: Any, props: Any) -> None:
        if rc.is_failure:
            self.events.put(("refused", str(rc)))
            return
        # paho re-sends its unacknowledged copies right after this callback (same packet ids,
        # DUP=1): wanted when the broker resumed the session and the flights were kept (the
        # drain's rule); else the outbox re-sends them, so paho's copies go.
        resumed = bool(flags.session_present) and bool(self.drain.inflight)
        if not resumed:
            client.drop_out_messages()
        recv_max = getattr(props, "ReceiveMaximum", None) if props is not None else None
        max_packet = getattr(props, "MaximumPacketSize", None) if props is not None else None
        self.events.put(("connected", recv_max, max_packet, resumed))

    def _on_connect_fail(self) -> None:
        self.events.put(("connect_failed",))

    def _on_disconnect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.events.put(("disconnected", str(rc)))

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        code = rc.value
        self._ack_buf.append((mid, code, str(rc) if code >= 0x80 else ""))

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.topic in (self.topics.watchlist, self.topics.watchlist_delta):
            self.events.put(("watchlist", bytes(msg.payload)))
        elif msg.topic == self.topics.officers:
            self.events.put(("officers", bytes(msg.payload)))
        elif msg.topic == self.topics.history_answer:
            self.history.deliver(bytes(msg.payload))  # no outbox work: hand it on at once
        elif msg.topic == self.topics.referral_receipt:
            self.events.put(("referral", bytes(msg.payload)))
        elif msg.topic.endswith("/receipt"):
            self.events.put(("receipt", bytes(msg.payload)))

    # -- pump thread ----------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, exit_when_empty: bool = False) -> None:
        """Forward until `stop` is set (or, with exit_when_empty, until nothing is pending).

        On stop: waits up to drain_timeout_s for in-flight PUBACKs, deletes what was
        acknowledged, publishes "offline", disconnects. Unacknowledged rows stay queued.
        With exit_when_empty and an empty outbox it returns at once, without connecting."""
        if exit_when_empty and self.outbox.status().pending == 0:
            log.info("the outbox is empty: nothing to forward")
            self.link_watch.last_error = "forwarder stopped"
            self._write_status()
            return
        props = connect_properties(self.s.protocol, session_expiry_s=SESSION_EXPIRY_S)
        self.link.start(props)
        self.deletes.start()
        if not exit_when_empty:  # a one-shot sync has no booth waiting on it
            self.history.start()
            self.link.wake_fd = self.history.wake_fd
        self.link.step(0.0)  # the first attempt (TCP and CONNECT sent) before READY=1
        self._write_status()
        sdnotify.notify("READY=1")
        watchdog = sdnotify.watchdog_interval_s()
        next_watchdog = time.monotonic()
        next_heartbeat = time.monotonic()
        next_status = time.monotonic() + 5.0
        try:
            while not stop.is_set():
                self.link.step(self._timeout(next_heartbeat))
                self._handle_events()
                now = time.monotonic()
                if self.drain.deletes_due(now):
                    self.deletes.flush(wait=False)
                if self.connected:
                    self.history.publish_due(self._ask)
                    self.publisher.fill()
                    if now >= next_heartbeat:
                        self._heartbeat()
                        next_heartbeat = now + self.s.heartbeat_s
                if now >= next_status:
                    self._write_status()
                    next_status = now + reports.STATUS_EVERY_S
                if watchdog is not None and now >= next_watchdog:
                    sdnotify.notify("WATCHDOG=1")
                    next_watchdog = now + watchdog
                if exit_when_empty and self.connected and self.drain.idle:
                    self.deletes.flush()
                    if self.outbox.status().pending == 0:
                        break
        finally:
            self._shutdown()

    def _ask(self, payload: bytes) -> None:
        self.client.publish(self.topics.history_request, payload, qos=0)

    def _timeout(self, next_heartbeat: float) -> float:
        timeout = IDLE_POLL_S
        if self.drain.inflight or self.deletes.undeleted():
            timeout = 0.05
        if self.drain.acked:
            timeout = min(timeout, self.ack_flush_s)
        if self.connected:
            timeout = min(timeout, max(0.0, next_heartbeat - time.monotonic()))
            if self.drain.suspect_due is not None:
                timeout = min(timeout, max(0.01, self.drain.suspect_due - time.time()))
        return max(timeout, 0.0)

    def _handle_events(self) -> None:
        """Handle what the callbacks noted during the last step, in order."""
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                break
            self._handle(event)
        self._take_acks()

    def _handle(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "connected":
            self._handle_connected(event[1], event[2], resumed=event[3])
        elif kind == "disconnected":
            self._handle_link_lost(f"connection lost ({event[1]})")
        elif kind == "connect_failed":
            self._handle_link_lost("could not connect")
        elif kind == "refused":
            self._handle_link_lost(refusal(event[1]), known=True)
        elif kind == "watchlist":
            self.watch.handle(event[1])
        elif kind == "officers":
            if self.on_officers is not None:
                self.on_officers(event[1])
        elif kind == "referral":
            referral_inbox.append(self.data_dir, event[1])
        elif kind == "receipt":
            self.deletes.receipt(event[1], time.time())

    def _handle_connected(self, recv_max: int | None, max_packet: int | None, *,
                          resumed: bool) -> None:
        self._take_acks()
        self.deletes.flush()
        self.link_watch.up()
        self.link.connected()
        self.outbox.set_last_error(None)
        self.drain.link_up(recv_max, max_packet, resumed=resumed)
        self.client.publish(self.topics.status, ONLINE, qos=1, retain=True)
        self.publisher.link_up()
        self._write_status()

    def _handle_link_lost(self, reason: str, *, known: bool = False) -> None:
        self._take_acks()  # acks that came before the drop still count
        self.deletes.flush()
        if not self.drain.link_lost(reason):
            self.client.drop_out_messages()
        self.history.link_lost()
        detail = self.link_watch.down(reason, known=known)
        if detail is not None:  # an outage starts
            self.outbox.set_last_error(f"broker link: {detail}")
            self._write_status()

    def _take_acks(self) -> None:
        acks, self._ack_buf = self._ack_buf, []
        drain = self.drain
        for mid, code, text in acks:
            refused = drain.ack(mid, code, text, time.monotonic())
            if refused is not None:
                self.link_watch.last_error = refused
            elif len(drain.acked) >= self.ack_batch:
                self.deletes.flush(wait=False)

    # -- reports --------------------------------------------------------------------------------

    def _heartbeat(self) -> None:
        self.outbox.maintain()  # prune tombstones, give free pages back, cut the WAL (cheap)
        beat = reports.heartbeat(self.outbox, self.topics, self.data_dir, self.watch.version)
        self.client.publish(self.topics.heartbeat, beat.encode(), qos=0, retain=True)
        self._write_status()

    def _write_status(self) -> None:
        reports.write_status(self.data_dir, self.link_watch, self.outbox,
                             receipts=self.receipts is not None)

    def _all_acked(self) -> bool:
        self._handle_events()
        return not (self.connected and self.drain.inflight)

    def _shutdown(self) -> None:
        sdnotify.notify("STOPPING=1")
        deadline = time.monotonic() + self.drain_timeout_s
        # let in-flight records finish so they are deleted now rather than re-sent next start
        self.link.pump_until(self._all_acked, deadline)
        self.deletes.flush()
        if self.connected:
            info = self.client.publish(self.topics.status, OFFLINE, qos=1, retain=True)
            self.link.pump_until(info.is_published, max(deadline, time.monotonic() + 0.1))
        self.link.close()
        self.link.wake_fd = None
        self.history.close()
        self.deletes.close()
        self.link_watch.online = False
        self.link_watch.last_error = "forwarder stopped"
        self._write_status()
