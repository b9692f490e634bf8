"""On the wire: a real Mosquitto subscriber's received bytes hold none of the person's values,
and the real collector opens every record back to what went in (v1 still accepted, old and new
keys after a rotation, a record sealed to a key it lacks kept as rejected)."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from central.collector import Collector
from central.db import Database
from config.models import BrokerConfig, CollectorConfig
from messaging.outbox import Outbox
from messaging.seal import Sealer, new_key_pair
from tests.collector.peers import Broker
from tests.messaging.helpers import REPO, forward_cmd
from tests.seal.helpers import Keys, assert_no_secrets, booth_records, person, terminal_config

pytestmark = pytest.mark.peer


class Wiretap:
    """A plain subscriber on every crossing topic, keeping the raw payload bytes."""

    def __init__(self, port: int) -> None:
        self.payloads: list[bytes] = []
        self._cond = threading.Condition()
        ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="wiretap",
                                  protocol=MQTTProtocolVersion.MQTTv5)
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.on_connect = lambda cl, *_a: cl.subscribe("imdms/v1/+/+/crossing", qos=1)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert ready.wait(10), "the wiretap did not subscribe"

    def _on_message(self, _cl: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with self._cond:
            self.payloads.append(bytes(msg.payload))
            self._cond.notify_all()

    def wait(self, n: int) -> list[bytes]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.payloads) >= n, 20)
            return list(self.payloads)

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_wire_is_sealed_and_the_centre_opens_it(
    tmp_path: Path, keys: Keys, mosquitto: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # key rotation: the centre holds a new key first and the old one (the booths' key) after it
    new_private, new_public = new_key_pair()
    keys.central_private.write_text(new_private + keys.central_private.read_text())
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(keys.credentials))
    broker = BrokerConfig.model_validate({"host": "127.0.0.1", "port": mosquitto.port})
    database = str(tmp_path / "central.sqlite3")
    collector = Collector(broker, CollectorConfig.model_validate(
        {"database": database, "share_group": "seal-test"}), client_id="c1", batch_wait_s=0.01)
    collector.start()
    tap = Wiretap(mosquitto.port)
    try:
        config = terminal_config(tmp_path, keys, "t1", broker_port=mosquitto.port)
        booth, sent = booth_records(config, 4)
        booth.communicate("", timeout=20)
        # an older terminal (crossing-v1, clear) and one sealed to a key the centre lacks
        legacy, stray = person(terminal_id="t2"), person(terminal_id="t3")
        with Outbox(tmp_path / "t2.sqlite3", disk_floor_mb=1) as old_box:
            old_box.add(legacy)
        with Outbox(tmp_path / "t3.sqlite3", disk_floor_mb=1,
                    sealer=Sealer.from_pem(new_key_pair()[1])) as stray_box:
            stray_box.add(stray)
        rotated = person(terminal_id="t4")  # a booth already on the new key
        with Outbox(tmp_path / "t4.sqlite3", disk_floor_mb=1,
                    sealer=Sealer.from_pem(new_public)) as new_box:
            new_box.add(rotated)
        for cfg in (config, *(_plain_config(tmp_path, t, mosquitto.port)
                              for t in ("t2", "t3", "t4"))):
            subprocess.run(forward_cmd(cfg, "--exit-when-empty"), cwd=REPO, check=True,
                           timeout=60, capture_output=True)
        wire = tap.wait(7)
        assert len(wire) == 7
        legacy_bytes = [p for p in wire if legacy.record_id.encode() in p]
        for payload in wire:
            if payload not in legacy_bytes:
                assert_no_secrets(payload, "an MQTT payload")
        assert collector.wait_for(lambda n: n["stored"] + n["rejected"] >= 7, 20), \
            dict(collector.counts)
    finally:
        tap.stop()
        collector.stop()
    assert collector.counts["stored"] == 6 and collector.counts["rejected"] == 1
    db = Database(database)
    try:
        stored = {r["record_id"]: r for r in db.iter_records()}
        reasons = [reason for _topic, reason in db.rejected()]
    finally:
        db.close()
    for want in [*sent, legacy.to_dict(), rotated.to_dict()]:
        got = stored[want["record_id"]]
        assert {k: v for k, v in got.items() if k != "recorded_at"} == \
            {k: v for k, v in want.items() if k != "recorded_at"}
    assert stray.record_id not in stored
    assert len(reasons) == 1 and "which this centre does not hold" in reasons[0]


def _plain_config(tmp_path: Path, terminal_id: str, port: int) -> Path:
    path = tmp_path / f"{terminal_id}.toml"
    path.write_text(
        f'[terminal]\nterminal_id = "{terminal_id}"\nborder_post = "MSU-BRIDGE"\n'
        f'data_dir = "{tmp_path / terminal_id}"\n[outbox]\npath = "{tmp_path}/{terminal_id}'
        f'.sqlite3"\ndisk_floor_mb = 1\n[broker]\nhost = "127.0.0.1"\nport = {port}\n'
        'backoff_min_s = 0.1\nbackoff_max_s = 0.5\n'
    )
    return path
