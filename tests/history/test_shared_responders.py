"""Two `imdms history serve` processes on one Mosquitto: each question gets exactly one answer
(an MQTT 5 shared subscription), and when one responder is SIGKILLed the other answers all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from messaging.history_wire import ask, question_id
from messaging.seal import Sealer, new_key_pair
from messaging.topics import Topics
from tests.history.rig import DOC, central_store

pytestmark = pytest.mark.peer
REPO = Path(__file__).resolve().parents[2]
TOPICS = Topics("imdms/v1", "MSU-BRIDGE", "t1")


def _serve(tmp: Path, port: int, name: str, database: str, creds: Path) -> subprocess.Popen[str]:
    config = tmp / f"{name}.toml"
    config.write_text(f'[broker]\nhost = "127.0.0.1"\nport = {port}\n\n'
                      f'[collector]\ndatabase = "{database}"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "imdms.cli", "history", "serve", "--config", str(config),
         "--client-id", name], stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1",
             "CREDENTIALS_DIRECTORY": str(creds)})
    assert proc.stderr is not None
    for line in proc.stderr:
        if "history responder answering on $share/imdms-history/" in line:
            break
    else:
        pytest.fail(f"{name} exited before subscribing")
    threading.Thread(target=lambda: [None for _ in proc.stderr or ()], daemon=True).start()
    return proc


class Booth:
    """A terminal's side on the wire: asks on its request topic, counts answers per id."""

    def __init__(self, port: int) -> None:
        self.answers: Counter[str] = Counter()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="t1",
                                  protocol=mqtt.MQTTv5)
        ready = threading.Event()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: ready.set()
        self.client.on_connect = lambda c, *_a: c.subscribe(TOPICS.history_answer, qos=0)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert ready.wait(10)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        self.answers.update([question_id(bytes(msg.payload))])

    def ask_all(self, sealer: Sealer, n: int) -> list[str]:
        ids = []
        for _ in range(n):
            q = ask(sealer, DOC)
            ids.append(q.id)
            self.client.publish(TOPICS.history_request, q.payload, qos=0)
            time.sleep(0.02)  # a booth asks once per read; the responders drop stale questions
        return ids

    def wait(self, ids: list[str], timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not all(self.answers[i] for i in ids):
            time.sleep(0.05)
        time.sleep(0.5)  # a second answer, if any, would arrive by now

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_two_responders_answer_each_question_once_and_survive_a_kill(
        tmp_path: Path, broker: Any) -> None:
    private, public = new_key_pair()
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "imdms-central.key").write_text(private)
    database = central_store(tmp_path / "central.sqlite3")
    procs = [_serve(tmp_path, broker.port, f"history-{i}", database, creds) for i in (1, 2)]
    booth = Booth(broker.port)
    sealer = Sealer.from_pem(public)
    try:
        ids = booth.ask_all(sealer, 20)
        booth.wait(ids)
        assert [booth.answers[i] for i in ids] == [1] * len(ids)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait(10)
        time.sleep(1.0)  # Mosquitto notices the dead client's socket close at once
        ids = booth.ask_all(sealer, 10)
        booth.wait(ids)
        assert [booth.answers[i] for i in ids] == [1] * len(ids)
    finally:
        booth.close()
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(10)
