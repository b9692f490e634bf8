"""Failure cases against a real Mosquitto: forwarder SIGKILL, big backlog, ACL, poison record,
MQTT 3.1.1, the retained watchlist."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from messaging.export_file import verify_key_pem
from messaging.outbox import Outbox
from messaging.watchlist import Watchlist
from messaging.watchlist_entries import Category, Entry
from messaging.watchlist_sign import full_document, sign
from records.codes import WatchlistResult
from tests.helpers import wait_until
from tests.messaging.helpers import REPO, fill, forward_cmd, start_forwarder, write_config
from tests.messaging.records import make_record
from tests.peers import require_executable

pytestmark = pytest.mark.peer


def test_forwarder_sigkilled_mid_drain(tmp_path: Path, broker: Any,
                                       collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    box = Outbox(tmp_path / "outbox.sqlite3")
    ids = fill(box, 5000)
    config = write_config(tmp_path, broker.port)
    proc = subprocess.Popen(forward_cmd(config), cwd=REPO, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: len(col.ids()) >= 500, timeout=30, step=0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert box.status().pending > 0
        again = subprocess.run(forward_cmd(config, "--exit-when-empty"), cwd=REPO,
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        assert box.status().pending == 0
        assert col.wait_for(set(ids), timeout=10) == set()
        assert col.conflicts == []
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        if proc.stderr:
            proc.stderr.close()
    box.close()


def test_backlog_10k_and_live_overtakes(tmp_path: Path, broker: Any,
                                        collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    box = Outbox(tmp_path / "o.sqlite3")
    ids = fill(box, 10_000)
    run = start_forwarder(box, tmp_path, broker.port)
    try:
        assert wait_until(lambda: len(col.received) >= 1000, step=0.002)
        live = make_record()
        box.add(live)
        assert col.wait_for(set(ids) | {live.record_id}, timeout=60) == set()
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        run.halt()
    order = [rid for _t, rid in col.received]
    # the live record did not wait for the 10,000-record backlog
    assert order.index(live.record_id) < 6000
    # the backlog itself kept its queue order
    first_seen = {rid: i for i, rid in reversed(list(enumerate(order)))}
    positions = [first_seen[r] for r in ids]
    assert positions == sorted(positions)
    assert col.conflicts == []
    assert all(n == 1 for n in Counter(order).values())  # no link drop: no re-sends
    box.close()


def test_acl_denied_records_are_kept(tmp_path: Path, broker_factory: Any,
                                     collector_factory: Any) -> None:
    acl = tmp_path / "acl"
    acl.write_text(
        "topic readwrite imdms/v1/+/+/status\n"
        "topic readwrite imdms/v1/+/+/heartbeat\n"
        "topic read imdms/v1/watchlist\n"
        "topic read imdms/v1/+/+/crossing\n"
    )
    b = broker_factory(extra_conf=f"acl_file {acl}\n")
    col = collector_factory(b.port)
    col.start()
    box = Outbox(tmp_path / "o.sqlite3", quarantine_after=2)
    ids = fill(box, 5)
    run = start_forwarder(box, tmp_path, b.port)
    try:
        assert wait_until(lambda: box.status().quarantined == 5)
        st = box.status()
        assert st.pending == 0
        # mosquitto answers 0x87 (and then drops the link: the forwarder copes)
        (reason,) = box.quarantine_reasons()
        assert "0x87" in reason
    finally:
        run.halt()
    assert col.ids() == set()
    assert {data["record_id"] for _s, data in box.iter_all()} == set(ids)
    # once central fixes the ACL, a technician requeues them
    assert box.requeue() == 5 and box.status().pending == 5
    box.close()


def test_oversized_record_is_quarantined_not_blocking(tmp_path: Path, broker_factory: Any,
                                                      collector_factory: Any) -> None:
    # MQTT 5: mosquitto refuses it with 0x83, paho cannot parse that PUBACK and drops the link
    b = broker_factory(extra_conf="message_size_limit 2500\n")
    col = collector_factory(b.port)
    col.start()
    box = Outbox(tmp_path / "o.sqlite3", quarantine_after=3)
    before = fill(box, 20)
    big = make_record(notes="n" * 1900)
    box.add(big)
    after = fill(box, 20)
    run = start_forwarder(box, tmp_path, b.port)
    try:
        assert col.wait_for(set(before) | set(after)) == set()
        assert wait_until(lambda: box.status().quarantined == 1, timeout=30)
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        run.halt()
    assert big.record_id not in col.ids()
    (kept,) = [d for s, d in box.iter_all() if s == "quarantined"]
    assert kept["record_id"] == big.record_id
    box.close()


def test_mqtt311_drains(tmp_path: Path, broker: Any, collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    box = Outbox(tmp_path / "o.sqlite3")
    ids = fill(box, 300)
    run = start_forwarder(box, tmp_path, broker.port, protocol="3.1.1")
    try:
        assert col.wait_for(set(ids)) == set()
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        run.halt()
    box.close()


def test_retained_watchlist_is_stored(tmp_path: Path, broker: Any,
                                      collector_factory: Any) -> None:
    col = collector_factory(broker.port)
    col.start()
    assert col.client is not None
    key = SigningKey.generate()
    (tmp_path / "watchlist.pub").write_text(verify_key_pem(key.verify_key))
    entry = Entry("wl-1", Category.LOST_STOLEN_DOCUMENT, "Retain it.",
                  document_number="QX1234567", nationality="LSO")
    wl = sign(full_document(42, [entry], "2026-12-03T12:00:00Z"), key)
    col.client.publish("imdms/v1/watchlist", wl, qos=1, retain=True).wait_for_publish(5)
    box = Outbox(tmp_path / "o.sqlite3")
    run = start_forwarder(box, tmp_path, broker.port)
    try:
        assert wait_until(lambda: run.forwarder.watchlist.version == "42")
    finally:
        run.halt()
    stored = Watchlist.load(tmp_path / "watchlist.json")
    assert stored.version == "42"
    assert stored.check("QX1234567", "LSO", None) is WatchlistResult.HIT
    assert (tmp_path / "watchlist.json").stat().st_mode & 0o077 == 0
    box.close()


def test_username_password(tmp_path: Path, broker_factory: Any) -> None:
    passwd = require_executable("mosquitto_passwd")
    pwfile = tmp_path / "passwd"
    subprocess.run([passwd, "-b", "-c", str(pwfile), "t1", "right-pass"], check=True,
                   capture_output=True)
    b = broker_factory(extra_conf=f"password_file {pwfile}\n", start=False)
    b.anonymous = False
    b.start()
    box = Outbox(tmp_path / "o.sqlite3")
    fill(box, 20)
    wrong = start_forwarder(box, tmp_path, b.port, username="t1", password="wrong-pass")
    try:
        assert wait_until(lambda: wrong.forwarder.link_watch.outage_logged)
        assert "refused the connection" in (wrong.forwarder.last_error or "")
        assert box.status().pending == 20
    finally:
        wrong.halt()
    right = start_forwarder(box, tmp_path, b.port, username="t1", password="right-pass")
    try:
        assert wait_until(lambda: box.status().pending == 0)
    finally:
        right.halt()
    box.close()
