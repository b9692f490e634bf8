"""The collector's AMQP 0-9-1 transport: consume RabbitMQ's quorum queues with pika.

The queues and their bindings to amq.topic come from deploy/central/definitions.json, loaded at
boot, so a terminal's publish is queued even before any collector ever connected. Several
collectors consume the same queues (competing consumers). Nothing is acknowledged on receipt:
the collector's writer thread calls ack() after the database commit, so a collector killed
mid-batch loses nothing (RabbitMQ redelivers to another consumer or the next connection).

Threads: pika's BlockingConnection belongs to one thread (`amqp-consumer`, which also reconnects
with backoff); ack() from the writer thread is handed over with add_callback_threadsafe.
Delivery tags are per channel, so a tag from a connection that has since died is dropped: its
message is redelivered anyway and dropped as a duplicate by record_id.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from imdms.errors import ConfigError, ImdmsError

log = logging.getLogger(__name__)
# pika logs every connection step, and each failed retry at ERROR: this module logs an outage
# once (with pika's reason) and its end
logging.getLogger("pika").setLevel(logging.CRITICAL)

CROSSINGS_QUEUE = "imdms.crossings"
HEARTBEATS_QUEUE = "imdms.heartbeats"
QUEUES = (CROSSINGS_QUEUE, HEARTBEATS_QUEUE)
PASSWORD_CREDENTIAL = "amqp-password"

# (topic, payload, mid) for the collector's queue; mid is this source's handle for ack()
Deliver = Callable[[str, bytes, int], None]


def topic_of(routing_key: str) -> str:
    """The MQTT topic of a routing key: RabbitMQ's MQTT plugin swaps '/' and '.'."""
    return routing_key.translate(str.maketrans("./", "/."))


def split_urls(url: str) -> list[str]:
    """The URLs of collector.amqp_url: one per node, separated by commas or spaces (a comma
    inside one, e.g. in ?ssl_options={...}, stays)."""
    return [u for u in re.split(r"[,\s]+(?=amqps?://)", url.strip()) if u]


def url_with_password(url: str, password: str | None) -> str:
    """`url` (or several, comma-separated) with the password put in where a URL names a user
    but no password."""
    urls = split_urls(url)
    if len(urls) > 1:
        return ",".join(url_with_password(u, password) for u in urls)
    parts = urlsplit(url)
    if password is None or parts.username is None or parts.password is not None:
        return url
    from urllib.parse import quote

    host = parts.hostname or ""
    netloc = f"{parts.username}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def safe_url(url: str) -> str:
    """host:port/vhost of the URL, for logs and errors (never the password)."""
    parts = urlsplit(url)
    vhost = unquote(parts.path[1:]) if parts.path else "/"
    return f"{parts.hostname}:{parts.port or 5672}/{vhost}"


class AmqpSource:
    """Consume QUEUES at `url` and hand each message to `deliver` (consumer thread).

    start() returns once the first consumers are registered (raises ImdmsError otherwise);
    ack(mid, qos) may be called from any thread; disconnect() + loop_stop() end it.
    """

    def __init__(
        self,
        url: str,
        deliver: Deliver,
        *,
        queues: tuple[str, ...] = QUEUES,
        prefetch: int = 1000,
        backoff_min_s: float = 0.5,
        backoff_max_s: float = 30.0,
    ) -> None:
        urls = split_urls(url)
        if not urls or not all(u.startswith(("amqp://", "amqps://")) for u in urls):
            raise ConfigError(
                "collector.source is 'amqp' but collector.amqp_url is not an amqp(s):// URL",
                "set [collector] amqp_url, e.g. amqps://imdms-collector@central1:5671/imdms",
            )
        self.urls = urls  # a cluster's nodes: pika tries them in order on each (re)connect
        self.where = ", ".join(safe_url(u) for u in urls)
        self.deliver = deliver
        self.queues = queues
        self.prefetch = prefetch
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._tags: dict[int, tuple[int, int]] = {}  # mid -> (generation, delivery tag)
        self._next_mid = 0
        self._generation = 0
        self._pending: list[int] = []
        self._outgoing: list[tuple[str, bytes]] = []  # receipts waiting for the consumer thread
        self._conn: Any = None
        self._first_error: str | None = None
        self._consumed = False
        self._failing = False
        self._channel: Any = None
        self._thread: threading.Thread | None = None

    # -- consumer thread ---------------------------------------------------------------------
    def _main(self) -> None:
        import pika
        import pika.exceptions

        delay = self.backoff_min_s
        while not self._stop.is_set():
            conn: Any = None
            try:
                conn = pika.BlockingConnection([pika.URLParameters(u) for u in self.urls])
                self._consume(conn)  # returns on stop
            except pika.exceptions.AMQPError as err:
                reason = self._describe(err)
                if self._first_error is None:
                    self._first_error = reason
                if not self._failing and not self._stop.is_set():
                    log.warning("RabbitMQ at %s: %s; reconnecting with backoff", self.where, reason)
                self._failing = True
            except Exception as err:  # a bug in a callback must not end consuming for good
                log.error("AMQP consumer failed: %s; reconnecting", err.__class__.__name__)
                self._failing = True
            finally:
                with self._lock:
                    self._conn = None
                if conn is not None and conn.is_open:
                    try:
                        conn.close()
                    except pika.exceptions.AMQPError:
                        pass
            if self._consumed:  # it worked for a while: start the backoff again
                self._consumed = False
                delay = self.backoff_min_s
            if self._stop.wait(delay):
                break
            delay = min(self.backoff_max_s, delay * 2)

    def _consume(self, conn: Any) -> None:
        channel = conn.channel()
        channel.basic_qos(prefetch_count=self.prefetch)
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._conn = conn
            self._pending.clear()
            self._tags.clear()  # older tags belong to a dead channel: redelivered anyway

        def on_message(ch: Any, method: Any, props: Any, body: bytes) -> None:
            with self._lock:
                self._next_mid += 1
                mid = self._next_mid
                self._tags[mid] = (generation, method.delivery_tag)
            self.deliver(topic_of(method.routing_key), bytes(body), mid)

        for name in self.queues:
            channel.basic_consume(name, on_message, auto_ack=False)
        self._channel = channel
        self._ready.set()
        self._consumed = True
        again = " again" if self._failing else ""
        self._failing = False
        log.info("consuming %s at %s%s", ", ".join(self.queues), self.where, again)
        while not self._stop.is_set():
            # receipts queued while no connection was open (or whose wake-up was lost with
            # the old one) go now: publish() wakes this thread only for the first of a run,
            # so one left behind would hold back every later receipt
            if self._outgoing:
                self._flush_publishes()
            conn.process_data_events(time_limit=1)
        conn.process_data_events(time_limit=0)  # the acks of stop()'s last commit
        self._flush_acks()

    def _flush_acks(self) -> None:
        """Consumer thread: acknowledge what the writer committed, in one frame.

        multiple=True acknowledges every tag up to the highest: safe because the writer takes
        deliveries in order (one queue fed by this thread) and acknowledges only after the
        commit of each batch in turn, so every lower tag of this channel is committed too. One
        basic_ack per message cost a frame and a pika flush each, on the thread that shares
        the GIL with the writer."""
        with self._lock:
            mids, self._pending = self._pending, []
            tags = [self._tags.pop(m, (0, 0)) for m in mids]
            generation = self._generation
        current = [tag for gen, tag in tags if gen == generation and tag]
        if current:
            self._channel.basic_ack(max(current), multiple=True)

    @staticmethod
    def _describe(err: BaseException) -> str:
        text = str(err) or err.__class__.__name__
        return text if len(text) < 300 else text[:300]

    # -- the collector's side ----------------------------------------------------------------
    def start(self, timeout_s: float) -> None:
        self._thread = threading.Thread(target=self._main, name="amqp-consumer", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            reason = self._first_error or "no answer"
            self.disconnect()
            self.loop_stop()
            raise ImdmsError(
                f"cannot consume the queues at RabbitMQ {self.where}: {reason}",
                "check [collector] amqp_url, the amqp-password credential, that the node runs"
                " and that deploy/central/definitions.json was loaded (queues exist)",
            )

    def ack(self, mid: int, qos: int) -> None:
        with self._lock:
            conn = self._conn
            first = not self._pending
            self._pending.append(mid)
        if conn is None:
            return  # the connection died: its messages are redelivered
        if first:
            try:
                conn.add_callback_threadsafe(self._flush_acks)
            except Exception as err:  # closed meanwhile: redelivered, dropped as duplicates
                log.debug("ack after the connection closed: %s", err.__class__.__name__)

    def publish(self, topic: str, payload: bytes | str, qos: int = 1) -> None:
        """Writer thread: publish to amq.topic (MQTT subscribers get it on `topic`: receipts).

        Best effort, like an MQTT QoS 1 publish from the collector: a receipt lost here only
        means the terminal re-sends, and the re-send is receipted again."""
        body = payload.encode() if isinstance(payload, str) else payload
        with self._lock:
            conn = self._conn
            first = not self._outgoing
            self._outgoing.append((topic_of(topic), body))  # the swap is its own inverse
        if conn is not None and first:
            try:
                conn.add_callback_threadsafe(self._flush_publishes)
            except Exception as err:  # closed meanwhile: the terminal re-sends, re-receipted
                log.debug("receipt after the connection closed: %s", err.__class__.__name__)

    def _flush_publishes(self) -> None:
        """Consumer thread: send the receipts the writer queued."""
        import pika

        with self._lock:
            out, self._outgoing = self._outgoing, []
        for n, (key, body) in enumerate(out):
            try:
                self._channel.basic_publish(
                    "amq.topic", key, body, pika.BasicProperties(delivery_mode=2)
                )
            except Exception:
                with self._lock:  # the link dropped: the rest go on the next connection
                    self._outgoing[:0] = out[n:]
                raise

    def disconnect(self) -> None:
        self._stop.set()

    def loop_stop(self) -> None:
        if self._thread is not None:
            self._thread.join(10)
