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
