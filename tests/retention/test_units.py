"""deploy/central/systemd/imdms-purge.{service,timer}: verified by `systemd-analyze verify` in a
scratch root with the host's units and stubs for the executables (as tests/deploy does)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.peers import require_executable

UNITS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "central" / "systemd"
UNITS = ("imdms-purge.service", "imdms-purge.timer")


def _stub(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify")
    host_units = Path("/usr/lib/systemd/system")
    if host_units.is_dir():
        shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True)
    target = root / "etc/systemd/system"
    target.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(UNITS_DIR / unit, target / unit)
        for line in (UNITS_DIR / unit).read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPost=")):
                _stub(root / line.split("=", 1)[1].split()[0].lstrip("/"))
    return root


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify(unit: str, root: Path) -> None:
    analyze = require_executable("systemd-analyze")
    path = root / "etc/systemd/system" / unit
    r = subprocess.run([analyze, "verify", f"--root={root}", str(path)],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr


def test_the_service_runs_the_commands_the_cli_has() -> None:
    text = (UNITS_DIR / "imdms-purge.service").read_text()
    assert "imdms purge --config /etc/imdms/central.toml" in text
    assert "imdms audit head --config /etc/imdms/central.toml --out" in text
    assert "Unit=imdms-purge.service" in (UNITS_DIR / "imdms-purge.timer").read_text()
