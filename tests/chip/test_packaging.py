"""Import hygiene and install paths: pyscard is optional; the simulator never ships."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from imdms.errors import ReaderUnavailable

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_backend_does_not_import_pyscard() -> None:
    code = (
        "import sys, drivers.chip, drivers.chip.session, drivers.chip.reader;"
        "from drivers.registry import backend_class;"
        "assert backend_class('chip').__name__ == 'ChipReader';"
        "assert 'smartcard' not in sys.modules, 'pyscard imported at import time'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_missing_pyscard_is_reader_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from drivers.chip.transport import PcscTransport

    monkeypatch.setitem(sys.modules, "smartcard", None)
    with pytest.raises(ReaderUnavailable) as info:
        PcscTransport("")
    assert "imdms-terminal[chip]" in info.value.hint


def test_simulator_is_not_packaged() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(pattern.startswith("tools") for pattern in include)
