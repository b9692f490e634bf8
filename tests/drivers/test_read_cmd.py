"""`imdms read`: the technician's one-document test, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from drivers.framing import encode
from imdms.cli import main
from ocr.specimens import specimens
from tests.drivers.ptys import Pty

SPECIMENS = specimens()


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    """A booth config with nothing set: --port and friends make the reader."""
    path = tmp_path / "empty.toml"
    path.write_text("")
    return path


@pytest.fixture
def reader_opened(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once `imdms read` has opened its reader (so a test unplugs or plugs during the
    wait, not before it, however slow the start on a loaded machine)."""
    import drivers.registry as registry

    opened = threading.Event()
    real = registry.open_reader

    def open_and_signal(config: object, name: str = "reader") -> object:
        reader = real(config, name)
        opened.set()
        return reader

    monkeypatch.setattr(registry, "open_reader", open_and_signal)
    return opened


@pytest.fixture
def sim_config(tmp_path: Path) -> Path:
    path = tmp_path / "terminal.toml"
    path.write_text('[reader]\ntype = "simulator"\n')
    return path


def test_simulator_reads_a_specimen(sim_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["read", "--config", str(sim_config), "--specimen", "lso_passport"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["ok"] is True and data["source"] == "simulator"
    assert data["raw_lines"] == SPECIMENS["lso_passport"]
    assert isinstance(data["mrz"], dict)


def test_bad_check_digit_exits_1(sim_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--config", str(sim_config), "--specimen", "bad_check_digit"]) == 1
    assert "a check failed" in capsys.readouterr().err


def test_unknown_specimen(sim_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--config", str(sim_config), "--specimen", "nope"]) == 2
    assert "unknown specimen" in capsys.readouterr().err


def test_port_override_reads_through_a_pty(
    pty: Pty, present_once_open: list[bytes], empty_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    present_once_open.append(encode(SPECIMENS["zaf_passport"], "3m-rte"))
    code = main(["read", "--config", str(empty_config), "--port", pty.path,
                 "--baud", "115200", "--framing", "3M-RTE", "--timeout", "5"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["source"] == "serial_mrz" and data["ok"] is True
    assert data["raw_lines"] == SPECIMENS["zaf_passport"]
    assert "3m-rte framing, 115200 baud" in out.err


def test_missing_device_is_a_device_error_said_once(
    tmp_path: Path, empty_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["read", "--config", str(empty_config),
                 "--port", str(tmp_path / "ttyNONE"), "--timeout", "0.3"])
    err = capsys.readouterr().err
    assert code == 2, err  # a device error, not "no document before the timeout" (3)
    assert err.count("no reader at") == 1, err
    assert "no reader appeared within 0.3 s" in err
    assert "what to do:" in err and "Traceback" not in err


def test_a_reader_plugged_in_while_waiting_is_said_back_and_read(
    pty: Pty, tmp_path: Path, reader_opened: threading.Event,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = tmp_path / "booth.toml"
    cfg.write_text(f'[reader]\ntype = "serial_mrz"\nport = "{pty.path}"\nframing = "stx-etx"\n'
                   "reconnect_max_s = 0.1\n")
    pty.unplug()

    def plug_then_present() -> None:
        reader_opened.wait(10)
        time.sleep(0.3)
        pty.plug()
        time.sleep(0.8)  # the reader reopens within 0.1 s; pyserial flushes input on open
        pty.write(encode(SPECIMENS["lso_passport"], "stx-etx"))

    thread = threading.Thread(target=plug_then_present)
    thread.start()
    try:
        code = main(["read", "--config", str(cfg), "--timeout", "10"])
    finally:
        thread.join()
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.err.count("no reader at") == 1
    assert out.err.count("reader back") == 1, out.err
    assert json.loads(out.out)["raw_lines"] == SPECIMENS["lso_passport"]


def test_nothing_presented_times_out(pty: Pty, empty_config: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["read", "--config", str(empty_config), "--port", pty.path,
                 "--timeout", "0.2"])
    assert code == 3
    assert "no document within 0.2 s" in capsys.readouterr().err


def test_missing_config_without_overrides(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--config", str(tmp_path / "absent.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bad_url_is_a_config_error(empty_config: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--config", str(empty_config), "--port", "nosuch://x"]) == 2
    assert "refused" in capsys.readouterr().err


@pytest.mark.parametrize("baud", ["-5", "7", "9601", "fast"])
def test_bad_baud_is_rejected_by_argparse(baud: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["read", "--baud", baud])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "9600" in err and "115200" in err, err


def test_list_ports(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from serial.tools import list_ports

    port = SimpleNamespace(device="/dev/ttyACM0", description="MRZ reader", hwid="USB VID:PID")
    monkeypatch.setattr(list_ports, "comports", lambda include_links=False: [port])
    assert main(["read", "--list-ports"]) == 0
    assert "/dev/ttyACM0\tMRZ reader" in capsys.readouterr().out
    monkeypatch.setattr(list_ports, "comports", lambda include_links=False: [])
    assert main(["read", "--list-ports"]) == 1
    assert "no serial ports found" in capsys.readouterr().err


@pytest.mark.parametrize("framing", ["lines", "stx-etx", "3m-rte", "desko-cute"])
def test_power_up_noise_then_a_frame_is_read_over_a_pty(
    framing: str, pty: Pty, present_once_open: list[bytes], empty_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The field trial: `\\x00garbage\\r\\n` then a proper frame gave "garbage between frames",
    ok false, and imdms read gave up."""
    present_once_open.append(b"\x00garbage\r\n" + encode(SPECIMENS["lso_passport"], framing))
    code = main(["read", "--config", str(empty_config), "--port", pty.path,
                 "--framing", framing, "--timeout", "5"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["ok"] is True and data["raw_lines"] == SPECIMENS["lso_passport"]
    assert out.err.count("skipped") == 1 and "warning" in out.err


def test_a_reader_unplugged_while_waiting_is_said_lost_once(
    pty: Pty, empty_config: Path, reader_opened: threading.Event,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def unplug() -> None:
        reader_opened.wait(10)
        time.sleep(0.3)  # well inside the wait
        pty.unplug()

    thread = threading.Thread(target=unplug)
    thread.start()
    try:
        code = main(["read", "--config", str(empty_config), "--port", pty.path,
                     "--timeout", "1.5"])
    finally:
        thread.join()
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("reader lost") == 1, err
    assert "the reader did not come back within 1.5 s" in err


def test_missing_device_said_once_in_a_shell(tmp_path: Path, empty_config: Path) -> None:
    """From a shell the driver's own warning came too: the same news three times."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "imdms.cli", "read", "--config", str(empty_config),
                        "--port", str(tmp_path / "ttyNONE"), "--timeout", "0.3"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count(str(tmp_path / "ttyNONE")) == 2, r.stderr  # "waiting for" + "no reader"
    assert "retrying" not in r.stderr and "Traceback" not in r.stderr
