"""config/secrets.py: the one lookup order every program (forwarder, collector, doctor) uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import loader, secrets
from config.secrets import credential, credential_path, credentials_dir, secret_path


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Neither variable set: a program started from a shell."""
    monkeypatch.delenv(secrets.UNIT_VARIABLE, raising=False)
    monkeypatch.delenv(secrets.SHELL_VARIABLE, raising=False)
    return monkeypatch


def test_inside_a_unit_the_systemd_directory_wins(tmp_path: Path,
                                                  shell: pytest.MonkeyPatch) -> None:
    unit, etc = tmp_path / "unit", tmp_path / "etc"
    unit.mkdir()
    etc.mkdir()
    (unit / "imdms-mqtt.password").write_text("s3cret\n")
    (etc / "imdms-mqtt.password").write_text("other\n")
    shell.setenv("IMDMS_CREDENTIALS_DIR", str(etc))
    shell.setenv("CREDENTIALS_DIRECTORY", str(unit))
    assert credentials_dir() == unit
    assert credential("imdms-mqtt.password") == "s3cret"
    assert credential("absent") is None  # no fallback to the shell folder inside a unit


def test_from_a_shell_the_folder_the_units_load_from(tmp_path: Path,
                                                     shell: pytest.MonkeyPatch) -> None:
    assert credentials_dir() == Path("/etc/imdms/credentials") == secrets.DEFAULT_DIR
    shell.setenv("IMDMS_CREDENTIALS_DIR", str(tmp_path))
    (tmp_path / "imdms-client.key").write_text("KEY")
    assert credentials_dir() == tmp_path
    assert credential_path("imdms-client.key") == tmp_path / "imdms-client.key"
    assert credential_path("imdms-mqtt.password") is None
    assert secret_path("imdms-mqtt.password") == tmp_path / "imdms-mqtt.password"


def test_an_absolute_name_is_that_file_only(tmp_path: Path, shell: pytest.MonkeyPatch) -> None:
    key = tmp_path / "keys" / "client.key"
    key.parent.mkdir()
    key.write_text(" KEY \n")
    shell.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert secret_path(str(key)) == key
    assert credential(str(key)) == "KEY"
    assert credential_path(str(key)) == key
    assert credential("keys/client.key") == "KEY"  # a relative name is inside the folder
    assert credential(str(tmp_path / "absent")) is None


def test_empty_unreadable_or_folder_is_not_set(tmp_path: Path, shell: pytest.MonkeyPatch) -> None:
    (tmp_path / "imdms-mqtt.password").write_text("\n")  # the installer's "not set"
    (tmp_path / "a-folder").mkdir()
    shell.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert credential("imdms-mqtt.password") is None
    assert credential("a-folder") is None
    assert credential_path("a-folder") is None


def test_an_explicit_directory_replaces_the_environment(tmp_path: Path,
                                                        shell: pytest.MonkeyPatch) -> None:
    (tmp_path / "pw").write_text("x")
    shell.setenv("CREDENTIALS_DIRECTORY", "/nonexistent")
    assert credential("pw", tmp_path) == "x"
    assert secret_path("pw", tmp_path) == tmp_path / "pw"


def test_every_reader_is_this_one() -> None:
    """The forwarder (via config.loader), the collector and the doctor share the functions."""
    from central import collector
    from imdms.cli.doctor import base

    assert loader.credential is credential and loader.credential_path is credential_path
    assert vars(collector)["read_credential"] is credential
    assert base.DoctorContext(config_path=Path("x")).credentials_dir == credentials_dir()


def test_stdlib_only() -> None:
    """The doctor imports it before it knows pydantic is installed."""
    code = ("import sys, config.secrets; "
            "sys.exit(any(m.split('.')[0] == 'pydantic' for m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=30).returncode == 0
