"""The forwarder: drains the outbox to the central broker over MQTT (QoS 1), never losing a row.

Threads: one pump thread (`run()`) owns the paho client (driven through paho's external-loop
API by messaging.link.Link, which also reconnects with capped, jittered exponential backoff), all
outbox reads and every publish; paho's callbacks run inside it and only note events and acks.
The committer thread deletes acknowledged rows (an fsync never stalls
publishing).

Rules (see docs/messaging.md):
- paho is never the queue: we publish only after a successful CONNACK, at most `window` records
  unacknowledged (broker Receive Maximum respected), and drop paho's copy of unacknowledged
  messages on reconnect; the outbox re-sends them (same record_id: harmless).
- A row is deleted only after its PUBACK; deletes are batched (one transaction per batch), and
  publishing pauses while two batches of acknowledged rows wait to be deleted, so a crash
  re-sends at most the window plus two batches (same record_ids).
- Two lanes: records queued after the link came up ("live") go before the backlog; each lane
  is in queue order. Records carry their own time (recorded_at, boot_id, monotonic_ns), so the
  central side orders by those, not by arrival.
- Poison records: when the link drops with records in flight, they become suspects and are
  later published alone; a suspect that drops the link alone or is refused in a PUBACK (MQTT 5
  reason >= 0x80) counts an attempt; after `quarantine_after` it moves to quarantine. It never
  blocks the others and is never dropped.
- Receipts (`receipts=ReceiptPolicy`, messaging/receipts.py): a PUBACK then only makes a crossing
  "awaiting receipt" (payload kept); the collector's receipt, after its database commit, makes
  it a tombstone. Overdue ones are re-sent in the window (same record_id), and after the
  policy's attempts quarantined as 'never receipted' (counted only while other receipts come:
  a silent central quarantines nothing). Audit events are still deleted on
  PUBACK: the central store keeps no audit events yet, so nothing could honestly receipt them.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from imdms import __version__
from imdms.errors import OutboxError
from messaging import health, sdnotify
from messaging import receipts as receipt_wire
from messaging.committer import Committer
from messaging.link import Link, LinkSettings, settings_from_config
from messaging.outbox import Outbox, Row
from messaging.receipts import NEVER_RECEIPTED, ReceiptPolicy
from messaging.topics import OFFLINE, ONLINE, Topics
from messaging.watchlist import Watchlist, store_payload
from records.clock import utc_now_iso
from records.record import boot_id

__all__ = ["Forwarder", "LinkSettings", "settings_from_config"]  # LinkSettings: messaging.link
log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 24 * 3600  # keep the broker session (watchlist subscription) a week
WATCHLIST_FILE = "watchlist.json"
REFUSAL_HINTS = {  # CONNACK reasons (paho's text) -> what the technician should check
    "Bad user name or password": "check [broker] username and the imdms-mqtt.password credential",
    "Not authorized": "check [broker] username, the password credential and the broker's ACL",
    "Client identifier not valid": "check [broker] client_id",
    "Banned": "ask central why this terminal is banned",
    "Server unavailable": "the broker is overloaded or starting; it is retried",
    "Server busy": "the broker is overloaded; it is retried",
}
LIVE_CHECK_S = 0.02  # a live record waits at most this plus one window
READ_AHEAD = 500  # backlog rows read per query (~1 MB of payloads at most)
PUBLISH_OVERHEAD = 64  # fixed header + topic length + packet id + properties, roughly
RESEND_CHECK_S = 0.5  # overdue receipts are looked for at most this often
RECEIPTED_KINDS = frozenset({"crossing"})  # kinds the collector stores, hence receipts


@dataclass(slots=True)
class _Flight:
    seq: int
    record_id: str
    probe: bool
    attempts: int
    kind: str = "crossing"


class Forwarder:
    """Drain `outbox` to the broker until `stop` is set (see module docstring).

    Args:
        settings: the link.
        outbox: an open Outbox (the forwarder's own instance: not shared with the UI).
        topics: topic names of this terminal.
        data_dir: where forwarder-status.json and watchlist.json are written.
        retry_base_s: first wait before re-publishing a refused suspect (doubles per attempt).
        ack_batch, ack_flush_s: delete acknowledged rows every N acks or after this long.
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
    ) -> None:
        self.s = settings
        self.outbox = outbox
        self.topics = topics
        self.data_dir = Path(data_dir)
        self.retry_base_s = retry_base_s
        self.ack_batch = ack_batch
        self.ack_flush_s = ack_flush_s
        self.drain_timeout_s = drain_timeout_s
        self.receipts = receipts
        self._resend_check_at = 0.0
        self._acked_plain: list[int] = []  # with receipts: acknowledged rows nobody receipts
        self.receipted = 0
        self._receipt_seen_at: float | None = None  # central is alive and receipting
        self._receipt_subs: set[tuple[str, str]] = set()
        self.resent = 0
        self.events: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.watchlist = Watchlist.load(self.data_dir / WATCHLIST_FILE)
        # link state (pump thread only)
        self.connected = False
        self.since = time.time()
        self.last_error: str | None = None
        self.window = settings.window
        self.max_packet: int | None = None
        self._outage_started: float | None = time.time()
        self._outage_logged = False
        self._failures = 0
        # drain state (pump thread only)
        self._inflight: dict[int, _Flight] = {}
        self._probe = False
        self._acked: list[int] = []
        self._first_ack_at = 0.0
        self._boundary = 0
        self._live_cursor = 0
        self._backlog_cursor = 0
        self._ahead: deque[Row] = deque()  # backlog rows read ahead, not yet published
        self._live_check_at = 0.0
        self._lanes_empty = False
        self._suspect_due: float | None = None
        self._suspects: deque[Row] = deque()
        self.published = 0
        self.acknowledged = 0
        self.link = Link(settings, self.topics.status, OFFLINE)
        self.client = client = self.link.client
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        self.link.on_connect_fail = self._on_connect_fail
        self._committer: Committer | None = None
        self._ack_buf: list[tuple[int, int, str]] = []

    # -- paho callbacks (run inside link.step(), in the pump thread: they only note) -----------

    def _on_connect(self, client: mqtt.Client, _u: Any, _flags: Any, rc: Any, props: Any) -> None:
        if rc.is_failure:
            self.events.put(("refused", str(rc)))
            return
        # paho would re-send its unacknowledged copies now; the outbox does that instead.
        client.drop_out_messages()
        recv_max = getattr(props, "ReceiveMaximum", None) if props is not None else None
        max_packet = getattr(props, "MaximumPacketSize", None) if props is not None else None
        self.events.put(("connected", recv_max, max_packet))

    def _on_connect_fail(self) -> None:
        self.events.put(("connect_failed",))

    def _on_disconnect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.events.put(("disconnected", str(rc)))

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        code = rc.value
        self._ack_buf.append((mid, code, str(rc) if code >= 0x80 else ""))

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == self.topics.watchlist:
            self.events.put(("watchlist", bytes(msg.payload)))
        elif msg.topic.endswith("/receipt"):
            self.events.put(("receipt", bytes(msg.payload)))

    # -- pump thread ----------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, exit_when_empty: bool = False) -> None:
        """Forward until `stop` is set (or, with exit_when_empty, until nothing is pending).

        On stop: waits up to drain_timeout_s for in-flight PUBACKs, deletes what was
        acknowledged, publishes "offline", disconnects. Unacknowledged rows stay queued."""
        props = None
        if self.s.protocol == "5":
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = SESSION_EXPIRY_S
        self.link.start(props)
        self._committer = Committer(self.outbox, self.receipts)
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
                self._maybe_flush()
                if self.connected:
                    self._fill()
                    if now >= next_heartbeat:
                        self._heartbeat()
                        next_heartbeat = now + self.s.heartbeat_s
                if now >= next_status:
                    self._write_status()
                    next_status = now + 15.0
                if watchdog is not None and now >= next_watchdog:
                    sdnotify.notify("WATCHDOG=1")
                    next_watchdog = now + watchdog
                if exit_when_empty and self.connected and not self._inflight and self._lanes_empty \
                        and self._suspect_due is None:
                    self._flush()
                    if self.outbox.status().pending == 0:
                        break
        finally:
            self._shutdown()

    def _timeout(self, next_heartbeat: float) -> float:
        timeout = 1.0
        if self._inflight or self._undeleted():
            timeout = 0.05
        if self._acked:
            timeout = min(timeout, self.ack_flush_s)
        if self.connected:
            timeout = min(timeout, max(0.0, next_heartbeat - time.monotonic()))
            if self._suspect_due is not None:
                timeout = min(timeout, max(0.01, self._suspect_due - time.time()))
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
            self._handle_connected(event[1], event[2])
        elif kind == "disconnected":
            self._handle_link_lost(f"connection lost ({event[1]})")
        elif kind == "connect_failed":
            self._handle_link_lost("could not connect")
        elif kind == "refused":
            hint = REFUSAL_HINTS.get(event[1], "ask central to check the broker log")
            self._handle_link_lost(f"broker refused the connection ({event[1]}): {hint}",
                                   known=True)
        elif kind == "watchlist":
            self._handle_watchlist(event[1])
        elif kind == "receipt":
            self._handle_receipt(event[1])

    def _handle_connected(self, recv_max: int | None, max_packet: int | None) -> None:
        self._take_acks()
        self._flush()
        self.connected = True
        self.link.connected()
        self.since = time.time()
        self.window = max(1, min(self.s.window, recv_max or 65535))
        self.max_packet = max_packet
        if self._outage_logged:
            log.info("broker link recovered after %.0f s (%d failed attempts)",
                     time.time() - (self._outage_started or time.time()), self._failures)
        else:
            log.info("connected to the broker %s:%d", self.s.host, self.s.port)
        self._outage_started = None
        self._outage_logged = False
        self._failures = 0
        self.last_error = None
        self.outbox.set_last_error(None)
        # restart both lanes: whatever was in flight is still in the outbox and is re-sent
        self._inflight.clear()
        self._probe = False
        self._boundary = self.outbox.max_seq()
        self._live_cursor = self._boundary
        self._live_check_at = 0.0
        self._backlog_cursor = 0
        self._ahead.clear()
        self._lanes_empty = False
        self._suspects.clear()
        self._suspect_due = self.outbox.next_retry_at()
        self.client.publish(self.topics.status, ONLINE, qos=1, retain=True)
        self.client.subscribe(self.topics.watchlist, qos=1)
        self._receipt_subs = set()
        if self.receipts is not None:
            self._subscribe_receipts(self.topics.border_post, self.topics.terminal_id)
        self._resend_check_at = 0.0
        self._write_status()

    def _handle_link_lost(self, reason: str, *, known: bool = False) -> None:
        was_connected = self.connected
        self.connected = False
        self._take_acks()  # acks that came before the drop still count
        self._flush()
        self.client.drop_out_messages()
        flights = list(self._inflight.values())
        self._inflight.clear()
        self._probe = False
        if len(flights) == 1 and flights[0].probe:
            # the suspect was alone on the link: it likely caused the drop (e.g. too large)
            f = flights[0]
            why = f"link dropped while this record was published alone ({reason})"
            wait = self._retry_in(f.attempts)
            if self.outbox.mark_failed(f.seq, why, count=True, retry_in_s=wait):
                log.warning("record %s quarantined: %s", f.record_id, why)
        elif flights:
            self.outbox.mark_suspects([f.seq for f in flights])
        if was_connected or self._outage_started is None:
            self.since = time.time()
            self._outage_started = time.time()
        self._failures += 1
        if not self._outage_logged:
            self._outage_logged = True
            detail = reason if was_connected or known else self._diagnose()
            self.last_error = detail
            log.warning("broker link down: %s; retrying with backoff (logged again on recovery)",
                        detail)
            self.outbox.set_last_error(f"broker link: {detail}")
            self._write_status()
        else:
            log.debug("broker link still down: %s", reason)

    def _diagnose(self) -> str:
        return health.diagnose(
            self.s.host, self.s.port, ca_file=self.s.ca_file, cert_file=self.s.cert_file,
            key_file=self.s.key_file, timeout_s=3.0,
        )

    def _retry_in(self, attempts: int) -> float:
        """Wait before a failed record is tried again: doubling per attempt, jittered, capped."""
        return min(self.retry_base_s * 2.0 ** attempts * random.uniform(0.5, 1.5),
                   self.s.backoff_max_s)

    def _take_acks(self) -> None:
        acks, self._ack_buf = self._ack_buf, []
        for mid, code, text in acks:
            self._handle_ack(mid, code, text)

    def _handle_ack(self, mid: int, code: int, text: str) -> None:
        flight = self._inflight.pop(mid, None)
        if flight is None:
            return  # status publish, or a stale mid from a dropped connection
        if flight.probe:
            self._probe = False
        if code < 0x80:
            if self.receipts is not None and flight.kind not in RECEIPTED_KINDS:
                self._acked_plain.append(flight.seq)
                return
            if not self._acked:
                self._first_ack_at = time.monotonic()
            self._acked.append(flight.seq)
            self.acknowledged += 1
            if len(self._acked) >= self.ack_batch:
                self._flush(wait=False)
            return
        why = f"broker refused the record: {text} (0x{code:02x})"
        self.last_error = why
        if self.outbox.mark_failed(flight.seq, why, count=True,
                                   retry_in_s=self._retry_in(flight.attempts)):
            log.warning("record %s quarantined: %s", flight.record_id, why)
        else:
            log.info("record %s refused by the broker (0x%02x); will retry", flight.record_id,
                     code)
        if not self._suspects:
            self._suspect_due = self.outbox.next_retry_at()

    def _undeleted(self) -> int:
        """Acknowledged rows not yet deleted: re-sent (same ids) if the process dies now."""
        return len(self._acked) + (self._committer.queued if self._committer else 0)

    def _maybe_flush(self) -> None:
        if self._acked and (len(self._acked) >= self.ack_batch
                            or time.monotonic() - self._first_ack_at >= self.ack_flush_s):
            self._flush(wait=False)

    def _flush(self, *, wait: bool = True) -> None:
        """Hand acknowledged rows to the committer; wait=True returns once they are deleted."""
        if self._acked_plain:  # audit events with receipts on: few, deleted here
            seqs, self._acked_plain = self._acked_plain, []
            self.outbox.mark_sent(seqs)
        if self._committer is None:
            if self._acked:
                self.outbox.mark_sent(self._acked)
                self._acked = []
            return
        if self._acked or wait:
            seqs, self._acked = self._acked, []
            self._committer.submit(seqs, wait=wait)

    # -- publishing -----------------------------------------------------------------------------

    def _fill(self) -> None:
        if self._probe:
            return
        now = time.time()
        if self._suspect_due is not None and self._suspect_due <= now:
            # a suspect goes alone: wait for the window to empty, then publish it by itself
            if self._inflight:
                return
            if not self._suspects:
                self._flush()  # acknowledged probes must not be picked again
                self._suspects.extend(self.outbox.due_suspects(now))
            if self._suspects:
                self._probe = True
                self._publish(self._suspects.popleft(), probe=True)
                return
            self._suspect_due = self.outbox.next_retry_at()
        room = self.window - len(self._inflight)
        if room <= 0 or self._undeleted() >= 2 * self.ack_batch:
            return  # the disk is slower than the link: bound what a crash would re-send
        if self.receipts is not None and time.monotonic() >= self._resend_check_at:
            room -= self._resend(room)
            if room <= 0:
                return
        # Refill on every ack (a window kept full; batches of acks stall on the broker's Nagle),
        # so no query per refill: the backlog is read ahead in chunks, and the live lane is
        # asked at most every LIVE_CHECK_S while it is empty.
        rows: list[Row] = []
        mono = time.monotonic()
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
                ahead.extend(more)
            for _ in range(min(room - len(rows), len(ahead))):
                rows.append(ahead.popleft())
        self._lanes_empty = not rows
        for row in rows:
            if not self.connected:
                return
            self._publish(row, probe=False)

    def _resend(self, room: int) -> int:
        """Publish rows whose receipt is overdue (same record_id); returns how many."""
        assert self.receipts is not None
        rows = self.outbox.claim_resends(time.time(), room, self.receipts,
                                         self._receipt_seen_at)
        # a full claim means more may be due: look again at the next refill
        self._resend_check_at = time.monotonic() + (0.0 if len(rows) >= room else RESEND_CHECK_S)
        if rows:
            log.info("re-sending %d records whose receipt is overdue", len(rows))
        for row in rows:
            if not self.connected:
                break
            self._publish(row, probe=False)
            self.resent += 1
        return len(rows)

    def _subscribe_receipts(self, border_post: str, terminal_id: str) -> None:
        """Receipts go to the topic of the record's own terminal: an imported record (another
        terminal's export) is receipted there, so that topic is subscribed before its first
        publish (the broker handles the SUBSCRIBE first: same connection)."""
        self._receipt_subs.add((border_post, terminal_id))
        self.client.subscribe(self.topics.receipt_for(border_post, terminal_id), qos=1)

    def _handle_receipt(self, payload: bytes) -> None:
        try:
            ids = receipt_wire.decode(payload)
        except ValueError as err:
            log.warning("ignored a receipt message (%s)", err)
            return
        self._receipt_seen_at = time.time()
        self.receipted += len(ids)
        if self._committer is not None:
            self._committer.submit_receipts(ids)
        else:
            self.outbox.mark_receipted(ids)

    def _publish(self, row: Row, *, probe: bool) -> None:
        topic = (self.topics.audit_for if row.kind == "audit" else self.topics.crossing_for)(
            row.border_post, row.terminal_id)
        if self.max_packet is not None and (
            size := len(row.payload.encode("utf-8")) + len(topic) + PUBLISH_OVERHEAD
        ) > self.max_packet:
            why = f"record larger than the broker accepts ({size} > {self.max_packet} bytes)"
            log.warning("record %s quarantined: %s", row.record_id, why)
            self.outbox.quarantine(row.seq, why)
            if probe:
                self._probe = False
            return
        if self.receipts is not None and row.kind in RECEIPTED_KINDS \
                and (row.border_post, row.terminal_id) not in self._receipt_subs:
            self._subscribe_receipts(row.border_post, row.terminal_id)
        info = self.client.publish(topic, row.payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            # link dropped under us: paho queued a copy in RAM, dropped on reconnect
            self.connected = False
            if probe:
                self._probe = False
            return
        self._inflight[info.mid] = _Flight(row.seq, row.record_id, probe, row.attempts, row.kind)
        self.published += 1

    # -- reports --------------------------------------------------------------------------------

    def _heartbeat(self) -> None:
        self.outbox.maintain()  # prune tombstones, give free pages back, cut the WAL (cheap)
        st = self.outbox.status()
        # wall clock and monotonic clock read together: once the clock is synchronised, this
        # pair lets the collector date the records made earlier in the same boot
        mono_ns = time.monotonic_ns()
        sent_at = utc_now_iso()
        payload = {
            "terminal_id": self.topics.terminal_id,
            "border_post": self.topics.border_post,
            "sent_at": sent_at,
            "boot_id": boot_id(),
            "monotonic_ns": mono_ns,
            "software_version": __version__,
            "outbox_pending": st.pending,
            "outbox_quarantined": st.quarantined,
            "oldest_pending_age_s": st.to_dict()["oldest_age_s"],
            "outbox_awaiting_receipt": st.awaiting_receipt,
            "oldest_unreceipted_age_s": st.to_dict()["oldest_unreceipted_age_s"],
            "disk_free_mb": round(self.outbox.free_mb(), 1),
            "clock_synced": health.clock_synced(),
            "readers": health.reader_states(self.data_dir),
            "watchlist_version": self.watchlist.version,
        }
        self.client.publish(self.topics.heartbeat, json.dumps(payload, sort_keys=True), qos=0,
                            retain=True)
        self._write_status()

    def _write_status(self) -> None:
        data = {
            "online": self.connected,
            "since": health.utc_iso(self.since),
            "last_error": self.last_error,
            "updated_at": health.utc_iso(),
            "receipts": self.receipts is not None,
        }
        try:  # the booth's status bar reads these (no personal data: counts and ages)
            st = self.outbox.status()
            data["awaiting_receipt"] = st.awaiting_receipt
            data["oldest_unreceipted_age_s"] = st.to_dict()["oldest_unreceipted_age_s"]
            data["never_receipted"] = self.outbox.quarantine_reasons().get(NEVER_RECEIPTED, 0)
        except (OutboxError, sqlite3.Error) as err:
            log.debug("status figures unavailable (%s)", err.__class__.__name__)
        try:
            health.write_json_atomic(self.data_dir / health.STATUS_FILE, data)
        except OSError as err:
            log.warning("cannot write %s (%s)", health.STATUS_FILE, err.__class__.__name__)

    def _handle_watchlist(self, payload: bytes) -> None:
        if not payload:
            return
        try:
            version = json.loads(payload).get("version")
        except (ValueError, AttributeError):
            version = None
        if version is not None and version == self.watchlist.version:
            return
        try:
            self.watchlist = store_payload(self.data_dir / WATCHLIST_FILE, payload)
        except (ValueError, OSError) as err:
            log.warning("watchlist update ignored (%s); keeping version %s", err,
                        self.watchlist.version)
            return
        log.info("watchlist version %s stored (%d entries)", self.watchlist.version,
                 len(self.watchlist))

    def _all_acked(self) -> bool:
        self._handle_events()
        return not (self.connected and self._inflight)

    def _shutdown(self) -> None:
        sdnotify.notify("STOPPING=1")
        deadline = time.monotonic() + self.drain_timeout_s
        # let in-flight records finish so they are deleted now rather than re-sent next start
        self.link.pump_until(self._all_acked, deadline)
        self._flush()
        if self.connected:
            info = self.client.publish(self.topics.status, OFFLINE, qos=1, retain=True)
            self.link.pump_until(info.is_published, max(deadline, time.monotonic() + 0.1))
        self.link.close()
        if self._committer is not None:
            self._committer.close()
            self._committer = None
        self.connected = False
        self.last_error = "forwarder stopped"
        self._write_status()
