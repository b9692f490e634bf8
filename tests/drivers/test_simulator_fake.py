"""Simulator extras (timer, named specimens, raw bytes through the pty) and FakeReader."""

from __future__ import annotations

import logging

import pytest

from config.models import SerialMrzConfig, SimulatorConfig
from drivers.base import ReaderStatus
from drivers.fake import FakeReader
from drivers.serial_mrz import SerialMrzReader
from drivers.simulator import SimulatorReader
from imdms.errors import ReaderIOError
from ocr.specimens import specimens
from tests.drivers.ptys import Pty
from tests.helpers import wait_until

SPECIMENS = specimens()


def sim(**cfg: object) -> SimulatorReader:
    return SimulatorReader(SimulatorConfig.model_validate(cfg), name="sim")


def test_timer_serves_specimens_in_turn() -> None:
    reader = sim(interval_s=0.05)
    with reader:
        first, second = reader.read(3), reader.read(3)
        assert first is not None and second is not None
        order = reader.specimen_names
        assert [first.raw_lines, second.raw_lines] == [tuple(SPECIMENS[n]) for n in order[:2]]


def test_trigger_by_name_and_unknown_name() -> None:
    reader = sim()
    with reader:
        assert set(SPECIMENS) == set(reader.specimen_names)
        reader.trigger("minor_passport")
        got = reader.read(3)
        assert got is not None and got.raw_lines == tuple(SPECIMENS["minor_passport"])
        with pytest.raises(ValueError, match="unknown specimen"):
            reader.trigger("nobody")
        with pytest.raises(ValueError, match="pty_framing"):
            reader.present_bytes(b"x")


@pytest.mark.parametrize("framing", ["lines", "stx-etx", "3m-rte", "desko-cute"])
def test_pty_simulator_each_framing_paced(framing: str) -> None:
    reader = sim(pty_framing=framing)
    reader.baud = 9600
    with reader:
        assert reader.pty_path is not None and reader.pty_path.startswith("/dev/")
        assert wait_until(lambda: reader.state.status is ReaderStatus.CONNECTED)
        reader.trigger("zaf_id_card")
        got = reader.read(5)
        assert got is not None and got.ok and got.source == "simulator"
        assert got.extra["via"] == "pty" and got.extra["framing"] == framing


def test_pty_simulator_garbage_is_a_failed_read() -> None:
    reader = sim(pty_framing="stx-etx")
    with reader:
        reader.present_bytes(b"\x02GARBLED\x07FRAME\x03")
        got = reader.read(5)
        assert got is not None and not got.ok and "garbled" in (got.error or "")


def test_fake_reader_feeds_and_raises() -> None:
    reader = FakeReader(None, name="fake")
    with reader:
        reader.feed_lines(SPECIMENS["lso_passport"])
        reader.feed(ReaderIOError("card pulled", "present it again"))
        got = reader.read(0)
        assert got is not None and got.ok
        with pytest.raises(ReaderIOError):
            reader.read(0)
        reader.set_state(ReaderStatus.DISCONNECTED, "unplugged")
        assert reader.state.status is ReaderStatus.DISCONNECTED


def test_replug_logs_once_and_the_recovery(pty: Pty, caplog: pytest.LogCaptureFixture) -> None:
    cfg = SerialMrzConfig.model_validate(
        {"type": "serial_mrz", "port": pty.path, "reconnect_max_s": 0.05}
    )
    caplog.set_level(logging.INFO, logger="drivers.serial_mrz")
    with SerialMrzReader(cfg, name="pty", first_backoff_s=0.01) as reader:
        pty.unplug()
        assert wait_until(lambda: reader.state.status is ReaderStatus.DISCONNECTED)
        wait_until(lambda: False, 0.3)  # ~8 reopen attempts
        pty.plug()
        assert wait_until(lambda: reader.state.status is ReaderStatus.CONNECTED)
    messages = [r.getMessage() for r in caplog.records if r.name == "drivers.serial_mrz"]
    assert len([m for m in messages if "lost" in m or "cannot open" in m]) == 1, messages
    assert len([m for m in messages if "is back" in m]) == 1, messages
