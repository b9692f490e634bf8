"""SerialMrzReader over loop:// and through real pseudo-terminals, including unplug/replug."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import pytest

from config.models import SerialMrzConfig
from drivers.base import ReaderStatus
from drivers.framing import FRAMINGS, encode, rte_block
from drivers.serial_mrz import SerialMrzReader
from imdms.errors import ReaderInitError
from ocr.specimens import specimens
from tests.drivers.ptys import Pty, SocatPty
from tests.helpers import wait_until

SPECIMENS = specimens()
TD3 = SPECIMENS["lso_passport"]
TD1 = SPECIMENS["lso_id_card"]


def config(port: str, framing: str = "lines", **extra: Any) -> SerialMrzConfig:
    return SerialMrzConfig.model_validate(
        {"type": "serial_mrz", "port": port, "framing": framing, **extra}
    )


def loop_reader(framing: str, **extra: Any) -> SerialMrzReader:
    return SerialMrzReader(config("loop://", framing, **extra), name="test", stale_after_s=0.3)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- loop:// --------------------------------------------------------------------------------


@pytest.mark.parametrize("framing", FRAMINGS)
def test_loop_each_framing(framing: str) -> None:
    reader = loop_reader(framing)
    with reader:
        assert reader.state.status is ReaderStatus.CONNECTED
        reader._port.write(encode(TD1, framing) + encode(TD3, framing))
        first, second = reader.read(2), reader.read(2)
        assert first is not None and first.ok and first.raw_lines == tuple(TD1)
        assert second is not None and second.ok and second.raw_lines == tuple(TD3)
        assert first.source == "serial_mrz" and first.reader_name == "test"
        assert first.extra["framing"] == framing
        assert first.started_at <= first.finished_at


def test_loop_wrong_bcc_is_a_failed_read() -> None:
    reader = loop_reader("3m-rte")
    with reader:
        reader._port.write(rte_block(TD3, bcc_delta=1) + rte_block(TD3))
        bad, good = reader.read(2), reader.read(2)
        assert bad is not None and not bad.ok and "wrong BCC" in (bad.error or "")
        assert good is not None and good.ok


def test_loop_partial_frame_reported_after_stale_timeout() -> None:
    reader = loop_reader("stx-etx")
    with reader:
        reader._port.write(encode(TD3, "stx-etx")[:40])
        got = reader.read(3)
        assert got is not None and not got.ok and "partial frame" in (got.error or "")


def test_loop_lines_inter_line_timeout() -> None:
    reader = loop_reader("lines", inter_line_timeout_s=0.1)
    with reader:
        reader._port.write(b"HELLO\r\n")
        start = time.monotonic()
        got = reader.read(3)
        assert got is not None and not got.ok and got.error
        assert 0.08 <= time.monotonic() - start < 1.5


def test_loop_not_an_mrz_is_a_failed_read() -> None:
    reader = loop_reader("stx-etx")
    with reader:
        reader._port.write(encode(["ABC<<<", "123"], "stx-etx"))
        got = reader.read(2)
        assert got is not None and not got.ok and (got.error or "").startswith("not an MRZ")


def test_bad_settings_raise_init_error() -> None:
    with pytest.raises(ReaderInitError, match="refused") as err:
        SerialMrzReader(config("nosuch://x"))
    assert err.value.hint


def test_missing_device_waits_disconnected(tmp_path: Path) -> None:
    with SerialMrzReader(config(str(tmp_path / "none")), name="t") as reader:
        assert reader.state.status is ReaderStatus.DISCONNECTED
        assert "no reader at" in reader.state.reason
        assert reader.read(0.05) is None


def test_close_wakes_a_blocked_read_promptly() -> None:
    import threading

    reader = loop_reader("lines")
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(reader.read(None)))
    thread.start()
    time.sleep(0.05)
    start = time.monotonic()
    reader.close()
    thread.join(2)
    assert not thread.is_alive() and results == [None]
    assert time.monotonic() - start < 1.0


# -- real pseudo-terminals ------------------------------------------------------------------


@pytest.mark.parametrize("baud", [9600, 115200])
@pytest.mark.parametrize("framing", FRAMINGS)
def test_pty_each_framing_at_baud(pty: Pty, framing: str, baud: int) -> None:
    cfg = config(pty.path, framing, baud=baud)
    with SerialMrzReader(cfg, name="pty") as reader:
        assert reader.state.status is ReaderStatus.CONNECTED
        pty.write(b"\r\n" if framing != "lines" else b"", baud)
        pty.write(encode(TD3, framing), baud)  # paced: frames arrive in ~10 ms pieces
        got = reader.read(5)
        assert got is not None and got.ok, got and got.error
        assert got.raw_lines == tuple(TD3) and got.mrz is not None and got.mrz.valid
        pty.write(encode([TD1[0], TD1[1].replace("<", "*", 1), TD1[2]], framing), baud)
        bad = reader.read(5)
        assert bad is not None and not bad.ok and "unreadable" in (bad.error or "")


def test_pty_unplug_and_replug_same_path(pty: Pty) -> None:
    cfg = config(pty.path, "stx-etx", reconnect_max_s=0.2)
    with SerialMrzReader(cfg, name="pty", first_backoff_s=0.02) as reader:
        pty.write(encode(TD3, "stx-etx")[:30])  # a frame in flight when the cable goes
        time.sleep(0.05)
        pty.unplug()
        cut = reader.read(3)
        assert cut is not None and not cut.ok and "partial frame" in (cut.error or "")
        assert wait_until(lambda: reader.state.status is ReaderStatus.DISCONNECTED)
        assert "went away" in reader.state.reason or "no reader" in reader.state.reason
        time.sleep(0.3)
        pty.plug()
        assert wait_until(lambda: reader.state.status is ReaderStatus.CONNECTED)
        pty.write(encode(TD1, "stx-etx"))
        got = reader.read(3)
        assert got is not None and got.ok and got.raw_lines == tuple(TD1)


def test_pty_disconnected_reader_backs_off_and_stays_idle(
    pty: Pty, monkeypatch: pytest.MonkeyPatch
) -> None:
    import serial

    attempts: list[float] = []
    real = serial.serial_for_url

    def counting(*args: Any, **kwargs: Any) -> Any:
        attempts.append(time.monotonic())
        return real(*args, **kwargs)

    monkeypatch.setattr(serial, "serial_for_url", counting)
    cfg = config(pty.path, "lines", reconnect_max_s=0.25)
    with SerialMrzReader(cfg, name="pty", first_backoff_s=0.02) as reader:
        pty.unplug()
        assert wait_until(lambda: reader.state.status is ReaderStatus.DISCONNECTED)
        attempts.clear()
        cpu = cpu_seconds()
        time.sleep(1.0)
        used = cpu_seconds() - cpu
        # 0.02, 0.04, ... capped at 0.25 s: about 6 attempts a second, never a busy loop
        assert 2 <= len(attempts) <= 12, len(attempts)
        gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
        assert all(g >= 0.015 for g in gaps)
        assert used < 0.2, f"{used:.3f} s CPU while waiting for the device"


def test_pty_idle_reader_uses_no_cpu(pty: Pty) -> None:
    with SerialMrzReader(config(pty.path, "3m-rte"), name="pty"):
        cpu = cpu_seconds()
        time.sleep(0.5)
        assert cpu_seconds() - cpu < 0.05


@pytest.mark.peer
def test_socat_replug_same_link(socat_pty: SocatPty) -> None:
    socat_pty.start()
    cfg = config(str(socat_pty.link), "desko-cute", reconnect_max_s=0.2)
    with SerialMrzReader(cfg, name="socat", first_backoff_s=0.02) as reader:
        assert reader.state.status is ReaderStatus.CONNECTED
        socat_pty.write(encode(TD3, "desko-cute"))
        got = reader.read(5)
        assert got is not None and got.ok
        socat_pty.stop()
        assert wait_until(lambda: reader.state.status is ReaderStatus.DISCONNECTED)
        socat_pty.start()
        assert wait_until(lambda: reader.state.status is ReaderStatus.CONNECTED)
        socat_pty.write(encode(TD1, "desko-cute"))
        got = reader.read(5)
        assert got is not None and got.ok and got.raw_lines == tuple(TD1)


def test_a_file_that_is_not_a_tty_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plain-file"
    path.write_bytes(b"")
    with SerialMrzReader(config(str(path)), name="t") as reader:
        assert reader.state.status is ReaderStatus.ERROR
        assert "not a serial device" in reader.state.reason


def test_a_port_in_use_is_an_error(pty: Pty) -> None:
    with SerialMrzReader(config(pty.path), name="first"):
        with SerialMrzReader(config(pty.path), name="second") as second:
            assert second.state.status is ReaderStatus.ERROR
            assert "in use by another program" in second.state.reason


def test_port_settings_come_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    import serial

    seen: dict[str, Any] = {}
    real = serial.serial_for_url

    def capture(url: str, **kwargs: Any) -> Any:
        seen.update(kwargs, url=url)
        return real("loop://", **kwargs)

    monkeypatch.setattr(serial, "serial_for_url", capture)
    cfg = config("/dev/ttyS9", "stx-etx", baud=19200, bytesize=7, parity="E", stopbits=2,
                 flow_control="rtscts")
    with SerialMrzReader(cfg, name="t"):
        pass
    assert seen["url"] == "/dev/ttyS9"
    assert (seen["baudrate"], seen["bytesize"], seen["parity"], seen["stopbits"]) == (
        19200, 7, "E", 2)
    assert (seen["rtscts"], seen["xonxoff"], seen["dsrdtr"]) == (True, False, False)
    assert seen["exclusive"] is True


@pytest.mark.parametrize("framing", FRAMINGS)
def test_pty_noise_is_skipped_warned_once_and_the_frame_read(
    pty: Pty, framing: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="drivers.serial_mrz")
    with SerialMrzReader(config(pty.path, framing), name="pty") as reader:
        for lines in (TD3, TD1):
            pty.write(b"\x00garbage\r\n" + encode(lines, framing))
            got = reader.read(5)
            assert got is not None and got.ok and got.raw_lines == tuple(lines), got
            assert got.extra["noise_bytes_skipped"] >= len("garbage")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "noise" in
                r.getMessage()]
    assert len(warnings) == 1
