"""`imdms collect`: broker -> validated, deduplicated rows in the database.

Two transports, one ingest path: an MQTT 5 shared subscription (Mosquitto: the one-post and
demo install) or RabbitMQ's quorum queues over AMQP 0-9-1 (central/amqp_source.py, national
deployment), chosen by [collector] source. Either way the writer below stores a batch, commits,
then acknowledges it.

Several collectors with the same `share_group` share the load on one broker (or cluster): each
message goes to one of them. paho runs with manual_ack: a message is acknowledged only after
the transaction holding it committed, so a crash loses nothing (the broker redelivers, and
duplicates are dropped by record_id). The session is persistent (clean_start=False with a
session expiry) so the broker queues crossings while the collector is down.

Threads: paho's network thread only queues messages; one writer thread owns the database,
stores a batch per transaction, commits, then publishes the commit receipts (each terminal's
committed record ids, QoS 1: messaging/receipts.py) and acknowledges the batch in arrival order.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central.cases.desk import CaseDesk
from central.db import Database, Ingested
from central.dberrors import is_bad_value
from central.ingest import canonical_text
from central.unseal import open_message
from config.models import BrokerConfig, CasesConfig, CollectorConfig
from config.secrets import credential as read_credential  # the one secrets reader
from imdms.errors import ConfigError, ImdmsError

RECORD_KINDS = ("crossing", "referral")  # topics whose messages are crossing records
log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 86_400
RECEIVE_MAXIMUM = 1000


@dataclass(frozen=True)
class _Message:
    topic: str
    payload: bytes  # as received
    mid: int
    qos: int
    unopened: str | None = None  # why a sealed crossing could not be opened (central/unseal.py)
    opened: dict[str, Any] | None = None  # the opened crossing-v2, handed on unparsed


def _received(topic: str, payload: bytes, mid: int, qos: int, credential: str) -> _Message:
    """A message as the writer takes it: a sealed crossing opened here, on the broker client's
    thread (libsodium releases the GIL while it decrypts)."""
    opened, why = open_message(payload, credential)
    return _Message(topic, payload, mid, qos, why, opened)


def make_client(broker: BrokerConfig, client_id: str, *, manual_ack: bool = True) -> Any:
    """A paho 2.x client configured from [broker] (TLS, credentials, protocol): the factory the
    forwarder uses too (messaging/mqtt_client.py), with the collector's credentials."""
    from messaging.mqtt_client import ClientSpec, Tls
    from messaging.mqtt_client import make_client as make_mqtt_client

    password = read_credential(broker.password_credential) if broker.username else None
    tls = None
    if broker.tls is not None:
        key = broker.tls.key_credential
        key_path = None
        if broker.tls.cert_file:
            base = os.environ.get("CREDENTIALS_DIRECTORY")
            key_path = str(Path(base) / key) if base and "/" not in key else key
        tls = Tls(broker.tls.ca_file, broker.tls.cert_file, Path(key_path) if key_path else None)
    return make_mqtt_client(ClientSpec(
        client_id=client_id, protocol=broker.protocol, tls=tls, username=broker.username,
        password=password, manual_ack=manual_ack, max_inflight=broker.inflight,
    ))


class Collector:
    """Consume crossings and heartbeats of every post into `Database(collector.database)`.

    start() returns once the threads run; stop() drains the queue, commits, acknowledges and
    disconnects. `counts` (stored, duplicate, rejected, heartbeat) and wait_for() let tests and
    benchmarks await progress without sleeping.
    """

    def __init__(
        self,
        broker: BrokerConfig,
        collector: CollectorConfig,
        *,
        database: str | None = None,
        client_id: str | None = None,
        batch_size: int = 500,
        batch_wait_s: float = 0.05,
        retry_min_s: float = 0.5,
        retry_max_s: float = 30.0,
        cases: CasesConfig | None = None,
    ) -> None:
        if collector.source == "mqtt" and not broker.host:
            raise ConfigError(
                "broker.host is empty: the collector has no broker to subscribe to",
                "set [broker] host (and port) in the configuration file",
            )
        self.broker = broker
        self.config = collector
        self.database = database or collector.database
        self.client_id = client_id or broker.client_id or f"imdms-collector-{socket.gethostname()}"
        self.batch_size = batch_size
        self.batch_wait_s = batch_wait_s
        self.retry_min_s = retry_min_s
        self.retry_max_s = retry_max_s
        self.prefix = broker.topic_prefix.rstrip("/")
        self.counts: Counter[str] = Counter()
        self._cond = threading.Condition()
        self._queue: queue.Queue[_Message | None] = queue.Queue()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None
        self._db_ready = threading.Event()
        self._client: Any = None
        self._was_connected = False
        self._db_failing = False
        self.receipted = 0  # ids sent in commit receipts (writer thread)
        # referral cases (central/cases): opened after each commit, notified on their own thread
        self.cases = CaseDesk(cases or CasesConfig(), self.database, self.prefix,
                              lambda topic, payload: self._client.publish(topic, payload, qos=1))

    # -- topics ------------------------------------------------------------------------------
    def subscriptions(self) -> list[str]:
        group = self.config.share_group
        # referral: a crossing with a referral, sent ahead of the queue on its own topic
        kinds = ("crossing", "referral", "heartbeat", "audit", "watchlist-hit")
        return [f"$share/{group}/{self.prefix}/+/+/{kind}" for kind in kinds]

    def _split(self, topic: str) -> tuple[str, str, str] | None:
        if not topic.startswith(self.prefix + "/"):
            return None
        parts = topic[len(self.prefix) + 1 :].split("/")
        if len(parts) != 3:
            return None
        return parts[0], parts[1], parts[2]

    # -- paho callbacks (network thread: queue only) -----------------------------------------
    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.warning("broker refused the collector: %s", reason)
            return
        client.subscribe([(t, 1) for t in self.subscriptions()])
        if self._was_connected:
            log.info("collector reconnected to %s:%d", self.broker.host, self.broker.port)
        else:
            log.info("collector connected to %s:%d", self.broker.host, self.broker.port)
        self._was_connected = True

    def _on_subscribe(self, client: Any, userdata: Any, mid: int, codes: Any, props: Any) -> None:
        if all(not c.is_failure for c in codes):
            self._connected.set()
        else:
            log.error("broker refused the collector's subscriptions: %s", codes)

    def _on_disconnect(self, client: Any, userdata: Any, flags: Any, reason: Any, p: Any) -> None:
        if self._connected.is_set() and not self._stop.is_set():
            log.warning("collector lost the broker: %s; reconnecting", reason)
        self._connected.clear()

    def _on_message(self, client: Any, userdata: Any, msg: Any) -> None:
        self._queue.put(_received(msg.topic, bytes(msg.payload), msg.mid, msg.qos,
                                  self.config.private_key_credential))

    # -- writer thread -----------------------------------------------------------------------
    def _writer_main(self) -> None:
        from central.db import Database

        try:
            db = Database(self.database)
            from central.audit.schema import ensure_schema

            ensure_schema(db)  # the booth audit events' table, before the first batch
            from central.watchlist.hits import ensure_schema as ensure_hits

            if db.postgres:  # collectors starting together raced on CREATE TABLE (UniqueViolation)
                db.execute("SELECT pg_advisory_xact_lock(hashtext('imdms-schema'))")
            ensure_hits(db)  # commits, releasing the lock
        except BaseException as err:  # surfaced by start()
            self._error = err
            self._db_ready.set()
            return
        self._db_ready.set()
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    break
                batch = [first]
                deadline = time.monotonic() + self.batch_wait_s
                stopping = False
                while len(batch) < self.batch_size:
                    try:
                        item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                    if item is None:
                        stopping = True
                        break
                    batch.append(item)
                delay = self.retry_min_s
                while not self._try_batch(db, batch):
                    if self._stop.wait(delay):
                        break  # not acknowledged: the broker redelivers them next session
                    delay = min(self.retry_max_s, delay * 2)
                if stopping:
                    break
        finally:
            try:
                db.close()
            except Exception as err:
                log.error("closing the central database failed: %s", err.__class__.__name__)

    def _try_batch(self, db: Any, batch: list[_Message]) -> bool:
        """Store and acknowledge a batch; False (rolled back, logged) on a database failure.

        A lost PostgreSQL connection (restart, terminated backend) is replaced here, so the
        next try can succeed; nothing of the batch was acknowledged, so nothing is lost.
        """
        try:
            self._process(db, batch)
        except Exception as err:
            if not db.is_db_error(err):
                raise
            try:
                db.rollback()
            except Exception:  # a lost PostgreSQL connection cannot roll back: retry anyway
                pass
            if not self._db_failing:
                log.error(
                    "central database error, retrying with backoff: %s (%s)",
                    db.describe(err),
                    err.__class__.__name__,
                )
            self._db_failing = True
            if db.connection_lost():
                self._reconnect(db)
            return False
        if self._db_failing:
            log.info("central database writable again")
            self._db_failing = False
        return True

    def _reconnect(self, db: Any) -> None:
        try:
            db.reconnect()
        except ImdmsError as err:  # the server is still away: the next retry tries again
            log.debug("reconnecting to the central database failed: %s", err.message)
        else:
            log.info("reconnected to the central database")

    def _process(self, db: Database, batch: list[_Message]) -> None:
        db.lock_for_ingest()
        try:  # the common case: the whole batch in one savepoint, none per message
            with db.savepoint("one_batch"):
                outcomes, committed = self._store_batch(db, batch, isolated=False)
        except Exception as err:
            if db.connection_lost() or (db.is_db_error(err) and not is_bad_value(err)):
                raise  # an outage: the batch is retried whole
            # a message broke the batch (a value the store refuses, a bug): undone; again,
            # each message in its own savepoint so that one is rejected and the rest stored
            outcomes, committed = self._store_batch(db, batch, isolated=True)
        db.commit()
        self.receipted += self._send_receipts(committed)
        # referral cases: only records that refer someone (receiving_unit), as parsed here
        from records.case_id import receiving_unit

        self.cases.after_commit(db, [canonical_text(r).encode("utf-8") for t, r in committed
                                     if receiving_unit(r) is not None])
        if self._client is not None:
            for msg in batch:
                if msg.qos > 0:
                    self._client.ack(msg.mid, msg.qos)
        with self._cond:
            self.counts.update(outcomes)
            self._cond.notify_all()

    def _store_batch(
        self, db: Database, batch: list[_Message], *, isolated: bool
    ) -> tuple[Counter[str], list[tuple[str, dict[str, Any]]]]:
        """Store every message: (outcomes, (topic, record) of each stored or duplicate
        crossing). isolated: each message in a savepoint, its failure rejected (else raised)."""
        from central.ingest_batch import plain_original, store_originals

        outcomes: Counter[str] = Counter()
        committed: list[tuple[str, dict[str, Any]]] = []
        run: list[tuple[str, dict[str, Any]]] = []  # plain originals, stored together

        def count(topic: str, result: Ingested) -> None:
            outcomes[result.outcome] += 1
            if result.record is not None and result.outcome in ("stored", "duplicate"):
                committed.append((topic, result.record))

        def store_run() -> None:
            for (topic, _), result in zip(run, store_originals(db, [r for _, r in run]),
                                          strict=True):
                count(topic, result)
            run.clear()

        for msg in batch:
            if isolated:
                try:
                    with db.savepoint():
                        count(msg.topic, self._handle(db, msg))
                except Exception as err:
                    outcomes[self._failed(db, msg, err)] += 1
                continue
            checked = self._check(db, msg)
            if isinstance(checked, dict) and plain_original(checked):
                run.append((msg.topic, checked))
                continue
            store_run()  # before this message: arrival order holds
            count(msg.topic, db.store(checked) if isinstance(checked, dict)
                  else checked if checked is not None else self._handle(db, msg))
        store_run()
        return outcomes, committed

    def _check(self, db: Database, msg: _Message) -> dict[str, Any] | Ingested | None:
        """A crossing's valid record (not stored yet) or its rejection; None: not a crossing
        that can be checked apart from storing (_handle takes it)."""
        parts = self._split(msg.topic)
        if parts is None or parts[2] not in RECORD_KINDS or msg.unopened is not None:
            return None
        return db.check(msg.payload, topic=msg.topic, post=parts[0], terminal=parts[1],
                        parsed=msg.opened)

    def _failed(self, db: Database, msg: _Message, err: Exception) -> str:
        """A message whose storing raised (undone): rejected, unless the database is away."""
        if is_bad_value(err):
            # a value the store refuses is this message's fault, not an outage
            db.reject(msg.topic, msg.payload,
                      f"the central store cannot hold a value: {db.describe(err)}")
            return "rejected"
        if db.is_db_error(err):
            raise err
        # a bug must not stop the collector: keep the message for a technician
        log.error("could not store a message from %s: %s", msg.topic, err.__class__.__name__)
        db.reject(msg.topic, msg.payload, f"internal error: {err.__class__.__name__}")
        return "rejected"

    def _send_receipts(self, committed: list[tuple[str, dict[str, Any]]]) -> int:
        """After the commit: each terminal's committed crossing ids to its receipt topic (a
        duplicate too: it is a re-send whose first receipt was lost). Returns ids sent."""
        from messaging.receipts import encode

        by_topic: dict[str, list[str]] = {}
        for topic, record in committed:
            parts = self._split(topic)
            if parts is None or parts[2] not in RECORD_KINDS:
                continue
            rid = str(record["record_id"])  # stored, hence valid
            by_topic.setdefault(f"{self.prefix}/{parts[0]}/{parts[1]}/receipt", []).append(rid)
        if self._client is None:
            return 0
        for topic, ids in by_topic.items():
            for payload in encode(ids):
                self._client.publish(topic, payload, qos=1)
        return sum(len(ids) for ids in by_topic.values())

    def _handle(self, db: Database, msg: _Message) -> Ingested:
        """Store one message; its outcome is counted (record: a crossing to receipt)."""
        parts = self._split(msg.topic)
        if parts is None:
            return db.reject(msg.topic, msg.payload, "unexpected topic")
        post, terminal, kind = parts
        if kind == "heartbeat":
            return db.ingest_heartbeat(msg.payload, topic=msg.topic, terminal=terminal)
        if kind == "audit":  # booth audit events: into the hash-chained log (central/audit/)
            from central.audit.booth import ingest_booth_event

            return ingest_booth_event(db, msg.payload, topic=msg.topic, post=post,
                                      terminal=terminal)
        if kind == "watchlist-hit":  # reported at once by the booth (central/watchlist/hits)
            from central.watchlist import hits

            return Ingested(str(hits.ingest(db, msg.topic, msg.payload)))
        if kind not in RECORD_KINDS:
            return db.reject(msg.topic, msg.payload, "unexpected topic")
        if msg.unopened is not None:
            return db.reject(msg.topic, msg.payload, msg.unopened)
        return db.ingest(msg.payload, topic=msg.topic, post=post, terminal=terminal,
                         parsed=msg.opened)

    # -- life cycle --------------------------------------------------------------------------
    def start(self, connect_timeout_s: float = 10.0) -> None:
        """Open the database, connect and subscribe. Raises ImdmsError if either fails."""
        self._writer = threading.Thread(target=self._writer_main, name="collector-db", daemon=True)
        self._writer.start()
        self._db_ready.wait()
        if self._error is not None:
            err = self._error
            if isinstance(err, ImdmsError):
                raise err
            raise ImdmsError(
                f"cannot open the database: {err.__class__.__name__}", "check collector.database"
            ) from err
        if self.config.source == "amqp":
            self._start_amqp(connect_timeout_s)
        else:
            self._start_mqtt(connect_timeout_s)

    def _start_amqp(self, connect_timeout_s: float) -> None:
        from central.amqp_source import PASSWORD_CREDENTIAL, QUEUES, AmqpSource, url_with_password

        def deliver(topic: str, payload: bytes, mid: int) -> None:
            # opened on the consumer thread, as the MQTT path does in _on_message
            self._queue.put(_received(topic, payload, mid, 1, self.config.private_key_credential))

        url = url_with_password(self.config.amqp_url, read_credential(PASSWORD_CREDENTIAL))
        # prefetch: two batches in hand keep the writer busy while one commits
        source = AmqpSource(
            url,
            deliver,
            prefetch=2 * self.batch_size,
            # booth audit events; referrals and watchlist hits (deploy/central/definitions)
            queues=(*QUEUES, "imdms.audit", "imdms.referrals"),
            backoff_min_s=self.retry_min_s,
            backoff_max_s=self.retry_max_s,
        )
        self._client = source
        try:
            source.start(connect_timeout_s)
        except ImdmsError:
            self._client = None
            self.stop()
            raise

    def _start_mqtt(self, connect_timeout_s: float) -> None:
        from messaging.mqtt_client import connect_properties

        client = make_client(self.broker, self.client_id)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.reconnect_delay_set(
            max(1, int(self.broker.backoff_min_s)), int(self.broker.backoff_max_s)
        )
        kwargs: dict[str, Any] = {}
        props = connect_properties(self.broker.protocol, session_expiry_s=SESSION_EXPIRY_S,
                                   receive_maximum=RECEIVE_MAXIMUM)
        if props is not None:
            kwargs = {"clean_start": False, "properties": props}
        self._client = client
        client.connect_async(self.broker.host, self.broker.port, self.broker.keepalive_s, **kwargs)
        client.loop_start()
        if not self._connected.wait(connect_timeout_s):
            self.stop()
            raise ImdmsError(
                f"cannot subscribe at the broker {self.broker.host}:{self.broker.port}",
                "check [broker] host/port/TLS/credentials and that the broker allows $share",
            )

    def wait_for(self, predicate: Any, timeout_s: float) -> bool:
        """Wait until predicate(counts) is true; False on timeout."""
        with self._cond:
            return bool(self._cond.wait_for(lambda: predicate(self.counts), timeout_s))

    def stop(self) -> None:
        """Drain, commit, acknowledge, then disconnect. Idempotent."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._writer is not None and self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        self.cases.stop()
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()

    def run(self, stop: threading.Event) -> None:
        """start(), then log progress each minute until `stop` is set."""
        self.start()
        store = "PostgreSQL" if self.database.startswith(("postgresql:", "postgres:")) else "SQLite"
        via = "RabbitMQ queues" if self.config.source == "amqp" else "MQTT"
        log.info("collector subscribed (%s); storing into %s", via, store)  # tests await this
        try:
            while not stop.wait(60):
                with self._cond:
                    log.info("collector: %s", dict(self.counts))
        finally:
            self.stop()
