"""`imdms chip read` argument handling and config defaults (no reader needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from imdms.cli import main
from imdms.cli.commands.chip import _chip_config


def _config(tmp_path: Path) -> str:
    """An empty booth config: `--config` must name a file that exists."""
    path = tmp_path / "x.toml"
    path.write_text("")
    return str(path)


def test_keys_are_required(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--config", _config(tmp_path), "chip", "read"]) == 2
    assert "--mrz" in capsys.readouterr().err


def test_mrz_and_typed_keys_exclude_each_other(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(
        ["--config", _config(tmp_path), "chip", "read", "--mrz", "A", "B", "--doc", "X"]
    )
    assert code == 2 and "give one of" in capsys.readouterr().err


def test_missing_csca_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        [
            "--config",
            _config(tmp_path),
            "chip",
            "read",
            "--doc",
            "LS1",
            "--dob",
            "850412",
            "--doe",
            "320101",
            "--csca",
            str(tmp_path / "none"),
        ]
    )
    assert code == 2 and "CSCA" in capsys.readouterr().err


def test_config_section_then_options(tmp_path: Path) -> None:
    cfg = tmp_path / "terminal.toml"
    cfg.write_text('[chip]\ntype = "chip"\nreader = "ACS"\nmax_le = 223\n')
    ns = argparse.Namespace(config=str(cfg), reader=None, csca=None, max_le=None)
    chip = _chip_config(ns)
    assert (chip.reader, chip.max_le, chip.csca_path) == ("ACS", 223, None)
    ns = argparse.Namespace(config=str(cfg), reader="Virtual", csca=tmp_path, max_le=160)
    chip = _chip_config(ns)
    assert (chip.reader, chip.max_le, chip.csca_path) == ("Virtual", 160, tmp_path)
