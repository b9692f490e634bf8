"""`imdms doctor`'s history line against a real relay process, a stale socket, a socket open
to others, a plain file in its place, and none."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

from config.models import Config
from imdms.checks import Status
from imdms.cli.doctor import DoctorContext
from imdms.cli.doctor.history import check_history
from tests.deploy.relay import relay_process


def _ctx(data: Path, host: str = "central.example") -> DoctorContext:
    ctx = DoctorContext(config_path=data / "none.toml")
    ctx.config = Config.model_validate({"terminal": {"data_dir": str(data)},
                                        "broker": {"host": host}})
    return ctx


def test_a_listening_relay_passes_and_the_probe_is_no_question(tmp_path: Path) -> None:
    with relay_process(tmp_path) as proc:
        result = check_history(_ctx(tmp_path))
        assert result.status is Status.PASS, result.line()
        assert proc.poll() is None
    assert proc.stderr is not None
    assert "ignored" not in proc.stderr.read()  # the empty probe is not logged as a question


def test_no_socket_warns_with_the_fallback_and_what_to_do(tmp_path: Path) -> None:
    result = check_history(_ctx(tmp_path))
    assert result.status is Status.WARN
    assert "own 30 days" in result.message and "imdms-forwarder" in result.hint


def test_a_stale_socket_of_a_killed_forwarder_warns(tmp_path: Path) -> None:
    with relay_process(tmp_path) as proc:
        os.kill(proc.pid, signal.SIGKILL)  # the socket file stays behind
        proc.wait()
    assert (tmp_path / "history.sock").exists()
    result = check_history(_ctx(tmp_path))
    assert result.status is Status.WARN and "nothing listens" in result.message


def test_a_socket_open_to_others_fails(tmp_path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(tmp_path / "history.sock"))
        server.listen(1)
        (tmp_path / "history.sock").chmod(0o666)
        result = check_history(_ctx(tmp_path))
    finally:
        server.close()
    assert result.status is Status.FAIL and "0666" in result.message


def test_a_plain_file_in_its_place_fails(tmp_path: Path) -> None:
    (tmp_path / "history.sock").write_text("")
    result = check_history(_ctx(tmp_path))
    assert result.status is Status.FAIL and "not a socket" in result.message
    assert "rm " in result.hint


def test_without_a_broker_it_is_skipped(tmp_path: Path) -> None:
    assert check_history(_ctx(tmp_path, host="")).status is Status.SKIP
