"""Booth -> forwarder -> Mosquitto -> responder -> answer, its fallbacks, and the wire bytes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from messaging.history_wire import Document
from terminal.history import TIMEOUT_S
from tests.history.rig import DOC, Sniffer, rig

pytestmark = pytest.mark.peer


def test_the_centre_answers_the_last_crossings_and_flags(tmp_path: Path, broker: Any) -> None:
    r = rig(tmp_path, broker.port)
    try:
        got = r.client.ask_document(DOC)
        assert got is not None and got.found
        assert [(c.direction, c.post) for c in got.crossings] == [
            ("ENTRY", "MSU-BRIDGE"), ("EXIT", "FICKSBURG"), ("ENTRY", "MASERU-BRIDGE")]
        assert "OPEN_STAY" in got.flags
        assert r.responder.answered == 1
        nobody = r.client.ask_document(Document("ZAF", "C00000001", None))
        assert nobody is not None and not nobody.found and nobody.crossings == ()
    finally:
        r.close()


def test_the_broker_sees_no_document_number(tmp_path: Path, broker: Any) -> None:
    sniff = Sniffer(broker.port)
    r = rig(tmp_path, broker.port)
    try:
        assert r.client.ask_document(DOC) is not None
        time.sleep(0.2)
        history = [p for p in sniff.payloads if b'"box"' in p]
        assert len(history) == 2  # the question and the answer
        for payload in sniff.payloads:
            assert b"A01234567" not in payload and b"1990-05-17" not in payload
            assert b"MASERU-BRIDGE" not in payload or b'"box"' not in payload
    finally:
        r.close()
        sniff.close()


def test_no_forwarder_is_unavailable_at_once(tmp_path: Path, broker: Any) -> None:
    r = rig(tmp_path, broker.port, forwarder=False)
    try:
        started = time.monotonic()
        assert r.client.ask_document(DOC) is None
        assert time.monotonic() - started < 0.2
    finally:
        r.close()


def test_a_silent_centre_is_given_up_after_one_second(tmp_path: Path, broker: Any) -> None:
    r = rig(tmp_path, broker.port, responder=False, timeout_s=TIMEOUT_S)
    try:
        started = time.monotonic()
        assert r.client.ask_document(DOC) is None
        assert 0.9 <= time.monotonic() - started < 1.5
    finally:
        r.close()


def test_an_offline_forwarder_says_unavailable_at_once(tmp_path: Path, broker: Any) -> None:
    r = rig(tmp_path, broker.port)
    try:
        broker.kill()
        for _ in range(100):
            if not r.forwarder or not r.forwarder.forwarder.connected:
                break
            time.sleep(0.05)
        started = time.monotonic()
        assert r.client.ask_document(DOC) is None
        assert time.monotonic() - started < 0.3
    finally:
        r.close()
