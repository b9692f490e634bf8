"""Publishing over a real Mosquitto: the centre's versions, deltas and the retained full list,
applied by booths (in step, late, and one that missed a delta); the CLI end to end."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from nacl.signing import SigningKey
from paho.mqtt.enums import CallbackAPIVersion

from central.db import Database
from central.watchlist import store
from central.watchlist.hits import list_hits, receive
from central.watchlist.publish import prepare, send
from config.models import BrokerConfig
from imdms.cli import main
from messaging.seal import ED25519_PRIVATE, pem
from messaging.topics import Topics
from messaging.watchlist import Watchlist, WatchlistRefused, store_payload
from messaging.watchlist_hit import encode, hit_event
from tests.helpers import wait_until
from tests.watchlist.conftest import BAN, CHILD, DOC, WANTED, entries_of

pytestmark = pytest.mark.peer
LIST, DELTA = "imdms/v1/watchlist", "imdms/v1/watchlist/delta"


class Booth:
    """A booth's watchlist subscription: both topics into store_payload, as the forwarder does."""

    def __init__(self, port: int, path: Path) -> None:
        self.path = path
        self.log: list[tuple[str, int | None, str]] = []  # (topic, version now held, outcome)
        self.lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"booth-{id(self)}")
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe([(LIST, 1), (DELTA, 1)])
        assert subscribed.wait(5)

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        before = Watchlist.load(self.path).number
        try:
            now = store_payload(self.path, bytes(msg.payload)).number
            outcome = "applied" if now != before else "same"
        except WatchlistRefused as err:
            now, outcome = before, err.reason
        with self.lock:
            self.log.append((msg.topic, now, outcome))

    def held(self) -> int | None:
        return Watchlist.load(self.path).number

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_versions_deltas_and_retained_list(tmp_path: Path, broker: Any, booth_dir: Path,
                                           centre_key: SigningKey) -> None:
    cfg = BrokerConfig(host="127.0.0.1", port=broker.port)
    db = Database(str(tmp_path / "central.sqlite3"))
    in_step = Booth(broker.port, booth_dir / "watchlist.json")
    try:
        first = prepare(db, "national", [DOC, CHILD], centre_key, operator="hq1")
        assert first is not None and first.version == 1 and first.delta is None
        send(cfg, first.full, first.delta)
        assert wait_until(lambda: in_step.held() == 1, timeout=10)
        second = prepare(db, "sltd", [BAN], centre_key, operator="hq1")
        assert second is not None and second.version == 2 and second.delta is not None
        send(cfg, second.full, second.delta)
        assert wait_until(lambda: len(in_step.log) == 3, timeout=10)
        # the delta arrived first and was applied; the retained full list then changed nothing
        assert in_step.log == [(LIST, 1, "applied"), (DELTA, 2, "applied"), (LIST, 2, "same")]
        assert entries_of(Watchlist.load(in_step.path)) == {"wl-doc", "wl-child", "wl-ban"}
        assert prepare(db, "sltd", [BAN], centre_key, operator="hq1") is None  # no change

        # a booth still at version 1 (it missed 1->2) hears 2->3: refused, then the full list
        behind_dir = tmp_path / "behind"
        behind_dir.mkdir()
        (behind_dir / "watchlist.pub").write_text((booth_dir / "watchlist.pub").read_text())
        store_payload(behind_dir / "watchlist.json", first.full)
        behind = Booth(broker.port, behind_dir / "watchlist.json")
        try:
            assert wait_until(lambda: len(behind.log) == 1)  # the retained version 2 at once
            assert behind.log == [(LIST, 2, "applied")]
            (behind_dir / "watchlist.json").unlink()
            store_payload(behind_dir / "watchlist.json", first.full)  # back to 1 (offline)
            third = prepare(db, "national", [CHILD, WANTED], centre_key, operator="hq2")
            assert third is not None and third.version == 3
            send(cfg, third.full, third.delta)
            assert wait_until(lambda: len(behind.log) == 3)
            assert behind.log[1:] == [(DELTA, 1, "base"), (LIST, 3, "applied")]
        finally:
            behind.close()
        assert wait_until(lambda: in_step.held() == 3)
        assert entries_of(Watchlist.load(in_step.path)) == {"wl-child", "wl-wanted", "wl-ban"}
        assert store.current(db)[0] == 3
    finally:
        in_step.close()
        db.close()

    # a booth that connects later gets the whole current list from the retained message
    late_dir = tmp_path / "late"
    late_dir.mkdir()
    (late_dir / "watchlist.pub").write_text((booth_dir / "watchlist.pub").read_text())
    late = Booth(broker.port, late_dir / "watchlist.json")
    try:
        assert wait_until(lambda: late.held() == 3)
        assert late.log == [(LIST, 3, "applied")]
    finally:
        late.close()


def test_cli_publish_and_import_sltd(tmp_path: Path, broker: Any, booth_dir: Path,
                                     centre_key: SigningKey,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    key_file = tmp_path / "watchlist.key"
    key_file.write_text(pem(ED25519_PRIVATE, bytes(centre_key), "PRIVATE KEY"))
    key_file.chmod(0o600)
    database = tmp_path / "central.sqlite3"
    config = tmp_path / "central.toml"
    config.write_text(
        f'[broker]\nhost = "127.0.0.1"\nport = {broker.port}\n'
        f'[collector]\ndatabase = "{database}"\n'
        f'[watchlist]\nsigning_key_credential = "{key_file}"\n')
    national = tmp_path / "national.csv"
    national.write_text("category,instruction,surname,given_names,date_of_birth\n"
                        "MISSING_CHILD_TIP,Keep the child here; call the CGPU.,MÜLLER,"
                        "ANNA MARIA,2015-04-09\n", encoding="utf-8")
    sltd = tmp_path / "sltd.csv"
    sltd.write_text("document_number,issuing_country,document_type,status\n"
                    "QX1234567,LSO,P,STOLEN\n")
    booth = Booth(broker.port, booth_dir / "watchlist.json")
    try:
        assert main(["watchlist", "publish", str(national), "--config", str(config),
                     "--operator", "hq1"]) == 0
        assert main(["watchlist", "import-sltd", str(sltd), "--config", str(config)]) == 0
        assert wait_until(lambda: booth.held() == 2, timeout=10)
        out = capsys.readouterr().out
        assert "version 1 published: 1 entries" in out and "version 2 published: 2" in out
        wl = Watchlist.load(booth.path)
        hit = wl.lookup(surname="ANNA MARIA", given_names="MUELLER", date_of_birth="2015-04-09")
        assert hit.instruction == "Keep the child here; call the CGPU."
        assert wl.lookup(document_number="QX1234567", issuing_state="LSO").match == "document"
        assert main(["watchlist", "show", "--json", "--config", str(config)]) == 0
        shown = capsys.readouterr().out
        assert '"version": 2' in shown and "MÜLLER" not in shown and "QX1234567" not in shown
        assert main(["watchlist", "republish", "--config", str(config)]) == 0
        assert main(["watchlist", "hits", "--json", "--config", str(config)]) == 0
        assert capsys.readouterr().out.strip().endswith("[]")
    finally:
        booth.close()


def test_cli_refuses_without_key_or_broker(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "central.toml"
    config.write_text(f'[collector]\ndatabase = "{tmp_path / "c.sqlite3"}"\n'
                      f'[watchlist]\nsigning_key_credential = "{tmp_path / "none.key"}"\n')
    listed = tmp_path / "l.json"
    listed.write_text('[{"category": "WANTED", "instruction": "x", "document_number": "A1"}]')
    assert main(["watchlist", "publish", str(listed), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "signing key credential" in err and "openssl genpkey" in err
    key_file = tmp_path / "none.key"
    key_file.write_text(pem(ED25519_PRIVATE, bytes(SigningKey.generate()), "PRIVATE KEY"))
    assert main(["watchlist", "publish", str(listed), "--config", str(config)]) == 2
    assert "[broker] host is empty" in capsys.readouterr().err


def test_hit_report_reaches_the_centre(tmp_path: Path, broker: Any) -> None:
    topics = Topics("imdms/v1", "MSU-BRIDGE", "t1")
    got: queue.SimpleQueue[tuple[str, bytes]] = queue.SimpleQueue()
    centre = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="centre-hits")
    centre.on_message = lambda _c, _u, m: got.put((m.topic, bytes(m.payload)))
    subscribed = threading.Event()
    centre.on_subscribe = lambda *_a: subscribed.set()
    centre.connect("127.0.0.1", broker.port)
    centre.loop_start()
    booth = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="booth-hits")
    booth.connect("127.0.0.1", broker.port)
    booth.loop_start()
    db = Database(str(tmp_path / "central.sqlite3"))
    try:
        centre.subscribe(topics.all_watchlist_hits, qos=1)
        assert subscribed.wait(5)
        wl = Watchlist.of("4", [DOC], 4)
        event = hit_event(wl.lookup(document_number="QX1234567"), record_id="rec-9",
                          border_post="MSU-BRIDGE", terminal_id="t1")
        booth.publish(topics.watchlist_hit, encode(event), qos=1).wait_for_publish(5)
        topic, payload = got.get(timeout=5)
        assert topic == "imdms/v1/MSU-BRIDGE/t1/watchlist-hit"
        assert receive(db, topic, payload) is True
        (stored,) = list_hits(db, record_id="rec-9")
        assert (stored["entry_id"], stored["list_version"]) == ("wl-doc", "4")
    finally:
        for c in (booth, centre):
            c.disconnect()
            c.loop_stop()
        db.close()


def test_the_collector_stores_hits_from_the_broker(tmp_path: Path, broker: Any) -> None:
    """The real ingest path: `imdms collect`'s Collector subscribes to every booth's hit topic
    and stores each hit once (a redelivery is a duplicate), beside the crossings."""
    from central.collector import Collector
    from config.models import CollectorConfig

    database = str(tmp_path / "central.sqlite3")
    collector = Collector(BrokerConfig(host="127.0.0.1", port=broker.port),
                          CollectorConfig(database=database))
    booth = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="booth-hits-2")
    booth.connect("127.0.0.1", broker.port)
    booth.loop_start()
    collector.start()
    try:
        wl = Watchlist.of("4", [DOC], 4)
        event = hit_event(wl.lookup(document_number="QX1234567"), record_id="rec-10",
                          border_post="MSU-BRIDGE", terminal_id="t1")
        topic = "imdms/v1/MSU-BRIDGE/t1/watchlist-hit"
        for _ in range(2):
            booth.publish(topic, encode(event), qos=1).wait_for_publish(5)
        booth.publish("imdms/v1/MSU-BRIDGE/t2/watchlist-hit", encode(event),
                      qos=1).wait_for_publish(5)  # another terminal's topic: refused
        assert collector.wait_for(
            lambda c: c["stored"] + c["duplicate"] + c["rejected"] >= 3, 15), collector.counts
    finally:
        collector.stop()
        booth.disconnect()
        booth.loop_stop()
    assert (collector.counts["stored"], collector.counts["duplicate"],
            collector.counts["rejected"]) == (1, 1, 1)
    db = Database(database)
    try:
        (stored,) = list_hits(db, record_id="rec-10")
    finally:
        db.close()
    assert stored["terminal_id"] == "t1"


def test_a_hit_queued_at_the_booth_reaches_the_centres_store(tmp_path: Path, broker: Any) -> None:
    """Booth outbox (Outbox.add_event) -> the booth's forwarder -> Mosquitto -> the collector
    -> watchlist_hits: the hit travels on its own topic, never as a crossing."""
    from central.collector import Collector
    from config.models import CollectorConfig
    from messaging.outbox import Outbox
    from messaging.watchlist_hit import KIND
    from tests.messaging.helpers import start_forwarder

    database = str(tmp_path / "central.sqlite3")
    collector = Collector(BrokerConfig(host="127.0.0.1", port=broker.port),
                          CollectorConfig(database=database))
    collector.start()
    box = Outbox(tmp_path / "outbox.sqlite3", disk_floor_mb=1)
    wl = Watchlist.of("4", [DOC], 4)
    event = hit_event(wl.lookup(document_number="QX1234567"), record_id="rec-11",
                      border_post="MSU-BRIDGE", terminal_id="t1")
    box.add_event(KIND, event)
    run = start_forwarder(box, tmp_path, broker.port)
    try:
        assert collector.wait_for(lambda c: c["stored"] >= 1, 15), collector.counts
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        run.halt()
        collector.stop()
        box.close()
    assert collector.counts["rejected"] == 0
    db = Database(database)
    try:
        (stored,) = list_hits(db, record_id="rec-11")
        crossings = db.query("SELECT COUNT(*) FROM records")[0][0]
    finally:
        db.close()
    assert stored["entry_id"] == "wl-doc" and crossings == 0
