"""Config: every problem listed with line and did-you-mean; the example documents every key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.example import EXAMPLE_PATH, example_text
from config.loader import load_config, parse_config
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
            and obj.__module__.startswith("config.")
        ):
            for name, field in obj.model_fields.items():
                assert name == "type" or field.description, f"{obj.__name__}.{name}"


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


# -- issue 13 items 15, 16, 20 ------------------------------------------------------------------


@pytest.mark.parametrize("table", ["camera", "serial_mrz", "simulator", "chip_reader"])
def test_a_table_named_like_a_reader_type_is_a_listed_problem(table: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(f'[{table}]\nport = "x"\n', "t.toml")
    text = info.value.message
    assert "1 problem(s)" in text and f"line 1: {table}:" in text


def test_a_reader_type_table_says_where_reader_settings_go() -> None:
    with pytest.raises(ConfigError, match=r'go in \[reader\] with type = "camera"'):
        parse_config('[camera]\nsource = "0"\n')


def test_a_key_in_the_wrong_table_is_named() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config('[chip]\ntype = "chip"\nport = "x"\n[terminal]\nhost = "h"\n')
    text = info.value.message
    assert "line 3: chip.port: unknown key in [chip]; port belongs in [reader]" in text
    assert "line 5: terminal.host: unknown key in [terminal]; host belongs in [broker]" in text
    with pytest.raises(ConfigError, match=r"chip: must be a table of settings"):
        parse_config("chip = 3\n")


@pytest.mark.parametrize(("toml", "words"), [
    ('[terminal]\nterminal_id = "booth 1"',
     "terminal.terminal_id: must be 1 to 64 letters, digits, '.', '_' or '-' (no spaces)"),
    ('[terminal]\ndefault_residence = "ZZZ"', "terminal.default_residence: must be a "
     "three-letter country code (ISO 3166 alpha-3)"),
    ('[broker]\nport = "8883"', "broker.port: must be a whole number, e.g. 30 (write it without "
     "quotes)"),
    ('[reader]\ntype = "serial_mrz"\nbaud = 7', "reader.baud: must be a standard baud rate: "
     "300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200"),
    ('[terminal]\nidle_signout_minutes = 0', "terminal.idle_signout_minutes: must be at least 1"),
    ('[terminal]\ndefault_direction = "in"', "terminal.default_direction: must be one of "
     "'ENTRY' or 'EXIT' (any case)"),
    ('[reader]\ntype = "serial_mrz"\nstopbits = 3', "reader.stopbits: must be 1, 1.5 or 2"),
    ('[reader]\ntype = "laser"', "reader.type: unknown reader type"),
    ('[broker]\nhost = 5', 'broker.host: must be text in double quotes'),
])
def test_problems_say_what_is_allowed_in_words(toml: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(toml + "\n")
    assert words in info.value.message
    for pydantic in ("should", "Value error", "pattern", "Input"):
        assert pydantic not in info.value.message


def test_choices_ignore_case_and_codes_are_normalised() -> None:
    cfg = parse_config('[terminal]\ndefault_direction = "exit"\ndefault_residence = "zaf"\n'
                       '[reader]\ntype = "serial_mrz"\nparity = "e"\nframing = "STX-ETX"\n'
                       'stopbits = 1.0\n[logging]\nlevel = "debug"\nlevels = {messaging = '
                       '"info"}\n')
    assert cfg.terminal.default_direction == "EXIT" and cfg.terminal.default_residence == "ZAF"
    assert isinstance(cfg.reader, SerialMrzConfig)
    assert (cfg.reader.parity, cfg.reader.framing, cfg.reader.stopbits) == ("E", "stx-etx", 1)
    assert cfg.logging.level == "DEBUG" and cfg.logging.levels == {"messaging": "INFO"}


def test_config_show_output_validates(tmp_path: Path) -> None:
    """It printed `chip = null`, `username = null` and `stopbits = 1.0`: not TOML a loader
    accepts."""
    cfg = tmp_path / "t.toml"
    cfg.write_text(EXAMPLE_PATH.read_text() + '\n[chip]\ntype = "chip"\n')
    for source in (EXAMPLE_PATH, cfg):
        r = _imdms("config", "show", "--config", str(source))
        assert r.returncode == 0, r.stderr
        assert "null" not in r.stdout
        shown = tmp_path / "shown.toml"
        shown.write_text(r.stdout)
        assert parse_config(r.stdout) == load_config(source)
        assert _imdms("config", "validate", "--config", str(shown)).returncode == 0


def test_cli_set_an_inline_table_keeps_it_in_place(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text(EXAMPLE_PATH.read_text())
    r = _imdms("config", "set", "--config", str(cfg), "logging.levels", '{messaging = "DEBUG"}')
    assert r.returncode == 0, r.stderr
    before, after = EXAMPLE_PATH.read_text().splitlines(), cfg.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("levels = {}", 'levels = {messaging = "DEBUG"}')]
    r = _imdms("config", "set", "--config", str(cfg), "logging.levels", "{}")
    assert r.returncode == 0, r.stderr
    assert cfg.read_text() == EXAMPLE_PATH.read_text()


@pytest.mark.parametrize("table", ["camera", "serial_mrz", "simulator"])
def test_reader_type_table_gives_no_traceback_in_any_command(tmp_path: Path, table: str) -> None:
    """validate, forward, outbox, doctor and the booth all died with IndexError."""
    cfg = tmp_path / "t.toml"
    cfg.write_text(f'[{table}]\nport = "/dev/ttyUSB0"\n')
    for argv in (["config", "validate"], ["forward"], ["outbox", "status"],
                 ["doctor", "--only", "config"], ["terminal"]):
        r = _imdms(*argv, "--config", str(cfg))
        assert r.returncode in (1, 2), (argv, r.stderr)
        assert "Traceback" not in r.stderr + r.stdout, argv
        assert f"[{table}]" in r.stderr + r.stdout, (argv, r.stderr, r.stdout)


def test_a_config_saved_with_a_bom_loads(tmp_path: Path) -> None:
    """Windows editors start UTF-8 files with a BOM; tomllib called it 'Invalid statement'."""
    cfg = tmp_path / "t.toml"
    cfg.write_bytes(b'\xef\xbb\xbf[terminal]\nterminal_id = "b1"\n')
    assert load_config(cfg).terminal.terminal_id == "b1"
    cfg.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="cannot be read: it is not UTF-8 text"):
        load_config(cfg)
