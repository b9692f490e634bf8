"""Config: every problem listed with line and did-you-mean; the example documents every key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.example import EXAMPLE_PATH, example_text
from config.loader import credential, load_config, parse_config
from config.models import Config, SerialMrzConfig
from imdms.errors import ConfigError

IMDMS = [sys.executable, "-m", "imdms.cli"]
BAD = """\
[terminal]
terminal_id = "b1"
bordr_post = "X"
default_direction = "INN"

[reader]
type = "serial_mrz"
baudrate = 9600
framing = "3m"
"""


def test_defaults_are_a_demo_booth() -> None:
    cfg = Config()
    assert cfg.reader.type == "simulator"
    assert cfg.broker.host == ""


def test_every_problem_is_listed_with_line_and_suggestion() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(BAD, "t.toml")
    text = info.value.message
    assert "4 problem(s)" in text
    assert "line 3: terminal.bordr_post: unknown key; did you mean 'border_post'?" in text
    assert "line 4: terminal.default_direction" in text
    assert "line 8: reader.baudrate: unknown key; did you mean 'baud'?" in text
    assert "line 9: reader.framing: must be" in text


def test_reader_section_is_chosen_by_type() -> None:
    cfg = parse_config('[reader]\ntype = "serial_mrz"\nport = "loop://"\n')
    assert isinstance(cfg.reader, SerialMrzConfig)
    with pytest.raises(ConfigError, match="unknown reader type"):
        parse_config('[reader]\ntype = "laser"\n')
    with pytest.raises(ConfigError, match="needs a type"):
        parse_config("[reader]\nbaud = 9600\n")


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(ConfigError, match="line 2"):
        parse_config("[terminal]\nterminal_id = b1\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "none.toml")
    assert load_config(tmp_path / "none.toml", required=False) == Config()


def test_example_is_generated_and_valid() -> None:
    assert EXAMPLE_PATH.read_text() == example_text(), (
        "regenerate: python -m config.example > config/terminal.example.toml"
    )
    load_config(EXAMPLE_PATH)


def test_every_model_field_has_a_description() -> None:
    from pydantic import BaseModel

    from config import models

    for obj in vars(models).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, BaseModel)
            and obj.__module__ == models.__name__
        ):
            for name, field in obj.model_fields.items():
                assert name == "type" or field.description, f"{obj.__name__}.{name}"


def test_credentials_come_from_systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "imdms-mqtt.password").write_text("s3cret\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert credential("imdms-mqtt.password") == "s3cret"
    assert credential("absent") is None


def _imdms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*IMDMS, *args], capture_output=True, text=True, timeout=60)


def test_cli_validate_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD)
    r = _imdms("config", "validate", "--config", str(bad))
    assert r.returncode == 1
    assert "did you mean 'border_post'" in r.stderr
    assert "Traceback" not in r.stderr
    r = _imdms("config", "validate", "--config", str(EXAMPLE_PATH))
    assert r.returncode == 0, r.stderr


def test_cli_set_keeps_comments_and_refuses_invalid(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text('# booth 3\n[terminal]\n# the id\nterminal_id = "b3"\n')
    cfg.chmod(0o640)
    r = _imdms("config", "set", "--config", str(cfg), "terminal.border_post", "MAPUTSOE")
    assert r.returncode == 0, r.stderr
    text = cfg.read_text()
    assert "# booth 3" in text and "# the id" in text
    assert 'border_post = "MAPUTSOE"' in text
    assert cfg.stat().st_mode & 0o777 == 0o640
    r = _imdms("config", "set", "--config", str(cfg), "terminal.idle_signout_minutes", "0")
    assert r.returncode == 2
    assert "idle_signout_minutes" in r.stderr
    assert "idle_signout_minutes" not in cfg.read_text()


def test_empty_credential_is_not_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "imdms-mqtt.password").write_text("\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert credential("imdms-mqtt.password") is None


def test_cli_set_keeps_owner(tmp_path: Path) -> None:
    import os

    if os.geteuid() != 0:
        pytest.skip("needs root to chown")
    cfg = tmp_path / "t.toml"
    cfg.write_text("[terminal]\n")
    os.chown(cfg, 0, 4242)
    r = _imdms("config", "set", "--config", str(cfg), "terminal.terminal_id", "b9")
    assert r.returncode == 0, r.stderr
    assert cfg.stat().st_gid == 4242
