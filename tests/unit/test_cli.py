"""The `imdms` console script and the architecture contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["terminal", "read", "ocr", "chip", "mrz", "forward", "outbox", "config", "doctor"]


def test_help_lists_every_command() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "imdms.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0
    for name in COMMANDS:
        assert name in r.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_config(name: str) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "imdms.cli", name, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "--config" in r.stdout


@pytest.mark.parametrize("package", ["drivers", "ocr", "messaging", "config", "central"])
def test_only_terminal_imports_textual(package: str) -> None:
    """Import every module of the package in a fresh interpreter; textual must stay unloaded."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"import {package} as p\n"
        "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'):\n"
        "    try:\n"
        "        importlib.import_module(m.name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "sys.exit(1 if 'textual' in sys.modules else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{package} imports textual"


def test_import_linter_contract() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


# -- --config in either place, and a named config that does not exist (issue 13 item 14) ----

BOGUS = '[terminal]\nterminal_id = "b1"\nbogus_key = 1\n'
# Every command with the arguments it needs to get as far as reading its config.
LOADING = {
    "terminal": ["terminal"],
    "read": ["read", "--timeout", "0.1"],
    "read --port": ["read", "--port", "loop://", "--timeout", "0.1"],
    "chip read": ["chip", "read", "--doc", "L898902C3", "--dob", "740812", "--doe", "120415"],
    "forward": ["forward"],
    "outbox status": ["outbox", "status"],
    "outbox export": ["outbox", "export", "{tmp}"],
    "outbox import": ["outbox", "import", "{tmp}/x.jsonl"],
    "outbox requeue": ["outbox", "requeue"],
    "config show": ["config", "show"],
    "config set": ["config", "set", "terminal.border_post", "X"],
    "officer list": ["officer", "list"],
    "officer add": ["officer", "add", "msu-001", "--pin-stdin"],
    "officer remove": ["officer", "remove", "msu-001"],
    "doctor": ["doctor", "--only", "config"],
    "collect": ["collect"],
    "report": ["report", "--from", "2026-01-01", "--to", "2026-01-02"],
}
NOT_LOADING = {
    "terminal --demo": ["terminal", "--demo"],
    "mrz specimen": ["mrz", "specimen"],
    "ocr": ["ocr", "{tmp}/x.png"],
    "officer --file": ["officer", "--file", "{tmp}/officers.toml", "list"],
    "report --database": ["report", "--from", "2026-01-01", "--to", "2026-01-02",
                          "--database", "{tmp}/c.sqlite3"],
}


def _argv(template: list[str], tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in template]


def _in_both_places(argv: list[str], config: str) -> list[list[str]]:
    """`imdms --config X CMD ...` and `imdms CMD ... --config X`."""
    return [["--config", config, *argv], [*argv, "--config", config]]


@pytest.mark.parametrize("name", sorted(LOADING))
def test_config_is_honoured_in_either_place(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from imdms.cli import main

    monkeypatch.delenv("IMDMS_CONFIG", raising=False)
    cfg = tmp_path / "booth.toml"
    cfg.write_text(BOGUS)
    for argv in _in_both_places(_argv(LOADING[name], tmp_path), str(cfg)):
        code = main(argv)
        out = capsys.readouterr()
        assert code in (1, 2), (argv, out)
        assert "bogus_key" in out.out + out.err, (argv, out)
        assert "Traceback" not in out.err


@pytest.mark.parametrize("name", sorted(LOADING) + sorted(NOT_LOADING))
def test_a_named_config_that_does_not_exist_is_an_error(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from imdms.cli import main

    monkeypatch.delenv("IMDMS_CONFIG", raising=False)
    missing = str(tmp_path / "typo.toml")
    template = {**LOADING, **NOT_LOADING}[name]
    for argv in _in_both_places(_argv(template, tmp_path), missing):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"config file {missing} does not exist" in err and "what to do:" in err
    monkeypatch.setenv("IMDMS_CONFIG", missing)
    assert main(_argv(template, tmp_path)) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "typo.toml").exists()


def test_config_validate_reports_a_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "typo.toml")
    for argv in _in_both_places(["config", "validate"], missing):
        r = subprocess.run([sys.executable, "-m", "imdms.cli", *argv], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 1, r.stderr
        assert "does not exist" in r.stderr and "Traceback" not in r.stderr


def test_outbox_status_reads_the_named_config_in_either_place(tmp_path: Path) -> None:
    """The field trial: `imdms --config X outbox status` said pending 0 with 13 waiting."""
    import json

    from messaging.outbox import Outbox

    box_path = tmp_path / "box.sqlite3"
    cfg = tmp_path / "booth.toml"
    cfg.write_text(f'[terminal]\ndata_dir = "{tmp_path}"\n[outbox]\npath = "{box_path}"\n')
    from tests.messaging.records import make_record

    with Outbox(box_path) as box:
        for _ in range(3):
            box.add(make_record())
    for argv in _in_both_places(["outbox", "status", "--json"], str(cfg)):
        r = subprocess.run([sys.executable, "-m", "imdms.cli", *argv], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["pending"] == 3, argv


def test_terminal_runs_with_stderr_redirected(tmp_path: Path) -> None:
    """`imdms terminal 2>booth.log` (docs/terminal.md): the UI draws on the terminal, the log
    file gets log lines, not the screen. It used to refuse because stderr was not a tty."""
    import fcntl
    import os
    import select
    import struct
    import termios
    import time

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    log = tmp_path / "booth.log"
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("INVOCATION_ID", None)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "imdms.cli", "terminal", "--demo", "--demo-dir",
             str(tmp_path / "demo")],
            stdin=slave, stdout=slave, stderr=err, env=env, start_new_session=True,
        )
    os.close(slave)
    screen = b""
    try:
        end = time.monotonic() + 60
        while b"PIN" not in screen and time.monotonic() < end and proc.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    screen += os.read(master, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(10)
        os.close(master)
    text = log.read_text(errors="replace")
    assert b"PIN" in screen, (screen[-500:], text[-500:])
    assert "needs a terminal" not in text
    assert "\x1b[" not in text, "the screen was drawn into the log file"


def test_officer_list_without_an_officers_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It printed nothing and exited 0: a technician read that as "the list is empty"."""
    from imdms.cli import main

    cfg = tmp_path / "booth.toml"
    cfg.write_text(f'[terminal]\nofficers_file = "{tmp_path / "officers.toml"}"\n')
    assert main(["officer", "list", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "no officers file at" in err and "imdms officer add" in err


def test_a_config_path_that_is_a_folder(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from imdms.cli import main

    assert main(["config", "validate", "--config", str(tmp_path)]) == 1
    assert "is a folder, not a file" in capsys.readouterr().err


@pytest.mark.parametrize(("birth", "expiry"), [("991399", "300101"), ("99010A", "300101"),
                                                ("9901", "300101"), ("990101", "30<<01"),
                                                ("990230", "300101")])
def test_mrz_make_refuses_impossible_dates(birth: str, expiry: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """It printed an MRZ with month 13, exit 0."""
    from imdms.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["mrz", "make", "--issuer", "LSO", "--number", "X1", "--surname", "A",
              "--birth", birth, "--expiry", expiry])
    assert exc.value.code == 2
    assert "YYMMDD" in capsys.readouterr().err


def test_mrz_make_takes_a_birth_date_with_unknown_day(capsys: pytest.CaptureFixture[str]) -> None:
    from imdms.cli import main

    assert main(["mrz", "make", "--issuer", "LSO", "--number", "X1", "--surname", "A",
                 "--birth", "8206<<", "--expiry", "280229"]) == 0
    assert "8206<<" in capsys.readouterr().out
