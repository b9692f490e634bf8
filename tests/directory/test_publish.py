"""A revoked officer is refused within one directory update: `imdms officer publish` at the
centre -> a real mosquitto (retained) -> the booth's apply (what the forwarder runs on each
`<prefix>/officers` message) -> OfficerStore refuses, and the signed-in officer is signed out."""

from __future__ import annotations

import io
import queue
import sys
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from config.models import Config
from imdms.cli import main
from messaging.officer_directory import RevocationWatch, handle_update, load_verify_keys
from terminal.officers import OfficerStore

pytestmark = pytest.mark.peer


class Booth:
    """The booth's subscription: hands every directory message to handle_update, the call the
    forwarder makes for `<prefix>/officers`."""

    def __init__(self, port: int, config: Config) -> None:
        self.config = config
        self.versions: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="booth-t1")
        self.client.on_connect = lambda c, *_: c.subscribe("imdms/v1/officers", qos=1)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        found = handle_update(self.config, bytes(msg.payload))
        self.versions.put(found.version if found else None)

    def next_version(self) -> int | None:
        return self.versions.get(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _config(tmp_path: Path, port: int, private_key_file: Path) -> Path:
    path = tmp_path / "central.toml"
    path.write_text(f"""
[broker]
host = "127.0.0.1"
port = {port}
[directory]
store_file = "{tmp_path / 'central' / 'officers.json'}"
signing_key_credential = "{private_key_file}"
""")
    return path


def test_revoked_officer_refused_within_one_update(
    tmp_path: Path, broker_factory: Any, public_key_file: Path, private_key_file: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    broker = broker_factory()
    cfg = str(_config(tmp_path, broker.port, private_key_file))
    for oid, pin in (("msu-1", "1234"), ("msu-2", "5678")):
        monkeypatch.setattr(sys, "stdin", io.StringIO(pin + "\n"))
        assert main(["--config", cfg, "officer", "--central", "add", oid, "--pin-stdin"]) == 0
    assert main(["--config", cfg, "officer", "publish"]) == 0
    assert "version 1 published on imdms/v1/officers" in capsys.readouterr().out

    keys = load_verify_keys(public_key_file)
    booth_cfg = Config.model_validate({"terminal": {"data_dir": str(tmp_path / "booth")},
                                       "directory": {"public_key": str(public_key_file)}})
    applied = booth_cfg.directory_path()
    store = OfficerStore(tmp_path / "booth" / "officers.toml", directory_file=applied,
                         directory_keys=keys)
    signed_out: list[str] = []
    watch = RevocationWatch(applied, keys, signed_out.append)
    booth = Booth(broker.port, booth_cfg)  # joins after the publish: gets the retained copy
    try:
        assert booth.next_version() == 1
        assert store.verify("msu-1", "1234") and store.verify("msu-2", "5678")
        assert not watch.check("msu-1")  # msu-1 signs in
        started = time.monotonic()
        assert main(["--config", cfg, "officer", "revoke", "msu-1"]) == 0
        assert booth.next_version() == 2
        elapsed = time.monotonic() - started
        assert not store.verify("msu-1", "1234")  # refused at the next sign-in
        assert watch.check("msu-1") and signed_out == ["msu-1"]  # and signed out at once
        assert store.verify("msu-2", "5678")
        print(f"revoke -> applied on the booth in {elapsed * 1000:.0f} ms", file=sys.stderr)
    finally:
        booth.close()
    # a booth that reconnects gets version 2 retained; the same bytes again change nothing
    again = Booth(broker.port, booth_cfg)
    try:
        assert again.next_version() is None
    finally:
        again.close()


def test_the_booths_forwarder_process_applies_a_revocation(
    tmp_path: Path, broker_factory: Any, public_key_file: Path, private_key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Across the real boundary: the booth's `imdms forward` (its own process) applies the
    directory the centre publishes; the booth's OfficerStore (this process) then refuses."""
    import subprocess

    broker = broker_factory()
    cfg = str(_config(tmp_path, broker.port, private_key_file))
    monkeypatch.setattr(sys, "stdin", io.StringIO("1234\n"))
    assert main(["--config", cfg, "officer", "--central", "add", "msu-1", "--pin-stdin"]) == 0
    assert main(["--config", cfg, "officer", "publish"]) == 0
    data = tmp_path / "booth"
    data.mkdir(mode=0o700)
    booth_toml = data / "terminal.toml"
    booth_toml.write_text(
        f'[terminal]\nterminal_id = "t1"\nborder_post = "MSU-BRIDGE"\ndata_dir = "{data}"\n'
        f'[broker]\nhost = "127.0.0.1"\nport = {broker.port}\nbackoff_min_s = 0.1\n'
        f'[directory]\npublic_key = "{public_key_file}"\n[outbox]\ndisk_floor_mb = 1\n')
    booth_cfg = Config.model_validate({"terminal": {"data_dir": str(data)},
                                       "directory": {"public_key": str(public_key_file)}})
    applied = booth_cfg.directory_path()
    store = OfficerStore(data / "officers.toml", directory_file=applied,
                         directory_keys=load_verify_keys(public_key_file))
    proc = subprocess.Popen([sys.executable, "-m", "imdms.cli", "forward", "--config",
                             str(booth_toml)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not store.verify("msu-1", "1234") and time.monotonic() < deadline:
            time.sleep(0.1)  # another process applies it: no event to await
        assert store.verify("msu-1", "1234"), "the forwarder never applied version 1"
        assert main(["--config", cfg, "officer", "revoke", "msu-1"]) == 0
        deadline = time.monotonic() + 20
        while store.verify("msu-1", "1234") and time.monotonic() < deadline:
            time.sleep(0.1)  # the same: the forwarder's process applies version 2
        assert not store.verify("msu-1", "1234"), "the revocation never reached the booth"
        assert applied.stat().st_mode & 0o077 == 0
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-800:]
