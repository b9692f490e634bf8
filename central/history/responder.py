"""`imdms history serve`: answer the booths' history questions from the person index.

Subscribes (QoS 0) to <prefix>/+/+/history-request, opens each question with the centre's
X25519 private keys ([collector] private_key_credential, the collector's), looks the document
up (central/history/lookup.py, audited) and publishes the sealed answer to the asking
terminal's own <prefix>/<post>/<terminal>/history-answer: the terminal comes from the topic,
which the broker's ACL ties to the terminal's certificate, so nobody is answered on another's
behalf. A question older than MAX_AGE_S when its turn comes is dropped (the booth gave up).

Several responders share the questions: on MQTT 5 (Mosquitto) they subscribe as one shared
subscription, $share/<share_group>/..., so each question reaches one of them and any may die.
RabbitMQ 3.10's MQTT plugin (3.1.1) has no shared subscriptions: there each responder answers
every question, and the booth's relay keeps the first answer per question id.

Threads: paho's loop thread only queues; run()'s thread owns the database, and refreshes the
person index with newly collected crossings every refresh_s (so a lookup never waits for it).
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from typing import Any

from central.db import Database
from central.history.lookup import lookup
from central.trace.index import refresh
from central.trace.schema import ensure_schema
from config.models import BrokerConfig
from messaging.history_wire import answer, open_question
from messaging.seal import Opener
from messaging.topics import Topics

log = logging.getLogger(__name__)
MAX_AGE_S = 1.0
SHARE_GROUP = "imdms-history"


class HistoryResponder:
    def __init__(self, broker: BrokerConfig, database: str, opener: Opener, *,
                 client_id: str | None = None, refresh_s: float = 5.0,
                 share_group: str | None = SHARE_GROUP) -> None:
        self.broker = broker
        self.database = database
        self.opener = opener
        self.topics = Topics(broker.topic_prefix, "+", "+")
        self.client_id = client_id or f"imdms-history-{socket.gethostname()}"
        self.refresh_s = refresh_s
        self.share_group = share_group if broker.protocol == "5" else None
        self.answered = 0
        self.refused = 0
        self._queue: queue.SimpleQueue[tuple[float, str, bytes]] = queue.SimpleQueue()
        self._subscribed = threading.Event()
        self._client: Any = None

    @property
    def subscription(self) -> str:
        """The questions' topic filter: shared among the responders where the broker can."""
        plain = self.topics.all_history_requests
        return f"$share/{self.share_group}/{plain}" if self.share_group else plain

    # -- paho's thread: note only ----------------------------------------------------------------

    def _on_connect(self, client: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            log.warning("history responder refused by the broker: %s", rc)
            return
        client.subscribe(self.subscription, qos=0)

    def _on_subscribe(self, *_a: Any) -> None:
        self._subscribed.set()

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        self._queue.put((time.monotonic(), msg.topic, bytes(msg.payload)))

    # -- run()'s thread ---------------------------------------------------------------------------

    def start(self, connect_timeout_s: float = 10.0) -> None:
        from central.collector import make_client
        from imdms.errors import ImdmsError

        client = make_client(self.broker, self.client_id, manual_ack=False)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self._client = client
        client.connect_async(self.broker.host, self.broker.port, self.broker.keepalive_s)
        client.loop_start()
        if not self._subscribed.wait(connect_timeout_s):
            self.stop()
            raise ImdmsError(
                f"cannot subscribe at the broker {self.broker.host}:{self.broker.port}",
                "check [broker] host/port/TLS/credentials and the ACL of the history topics"
                " (deploy/central)",
            )

    def stop(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    def run(self, stop: threading.Event, ready: threading.Event | None = None) -> None:
        """Answer until `stop` is set (start() first when not yet connected)."""
        db = Database(self.database)
        try:
            ensure_schema(db)
            refresh(db)
            db.commit()
            if self._client is None:
                self.start()
            if ready is not None:
                ready.set()
            log.info("history responder answering on %s", self.subscription)
            next_refresh = time.monotonic() + self.refresh_s
            while not stop.is_set():
                try:
                    item = self._queue.get(timeout=0.2)
                except queue.Empty:
                    item = None
                if item is not None:
                    self.handle(db, *item)
                if time.monotonic() >= next_refresh and self._queue.empty():
                    refresh(db)
                    db.commit()
                    next_refresh = time.monotonic() + self.refresh_s
        finally:
            self.stop()
            db.close()

    def handle(self, db: Database, received: float, topic: str, payload: bytes) -> None:
        parts = topic.split("/")
        post, terminal = parts[-3], parts[-2]
        if time.monotonic() - received > MAX_AGE_S:
            log.info("history question from %s dropped: too late to be of use", terminal)
            return
        try:
            qid, doc, reply = open_question(self.opener, payload)
        except ValueError as err:
            self.refused += 1
            log.warning("history question from %s refused: %s", terminal, err)
            return
        try:
            ans = lookup(db, doc, terminal=terminal, post=post)
        except Exception as err:  # the database: no answer; the booth falls back
            log.warning("history lookup for %s failed: %s", terminal, err.__class__.__name__)
            self._recover(db)
            return
        out = answer(qid, reply, ans)
        self.answered += 1  # before the publish: the booth may have it before the next line
        self._client.publish(self.topics.history_answer_for(post, terminal), out, qos=0)

    @staticmethod
    def _recover(db: Database) -> None:
        """Roll back, or replace a lost PostgreSQL connection (the next question retries)."""
        try:
            if db.connection_lost():
                db.reconnect()
            else:
                db.rollback()
        except Exception as err:  # ImdmsError or the driver's: the next question retries
            log.warning("central database unavailable: %s", err.__class__.__name__)
