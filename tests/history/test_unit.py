"""deploy/central/systemd/imdms-history.service: `systemd-analyze verify` in a scratch root (as
tests/retention/test_units.py), and it runs the command the CLI has."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.peers import require_executable
from tests.retention.test_units import UNITS_DIR, _stub

UNIT = "imdms-history.service"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify")
    host_units = Path("/usr/lib/systemd/system")
    if host_units.is_dir():
        shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True)
    target = root / "etc/systemd/system"
    target.mkdir(parents=True)
    shutil.copy(UNITS_DIR / UNIT, target / UNIT)
    for line in (UNITS_DIR / UNIT).read_text().splitlines():
        if line.startswith("ExecStart="):
            _stub(root / line.split("=", 1)[1].split()[0].lstrip("/"))
    return root


def test_systemd_analyze_verify(root: Path) -> None:
    analyze = require_executable("systemd-analyze")
    path = root / "etc/systemd/system" / UNIT
    r = subprocess.run([analyze, "verify", f"--root={root}", str(path)], capture_output=True,
                       text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr


def test_the_service_runs_history_serve() -> None:
    from imdms.cli import build_parser

    text = (UNITS_DIR / UNIT).read_text()
    assert "imdms history serve --config /etc/imdms/central.toml" in text
    args = build_parser().parse_args(["history", "serve", "--client-id", "x"])
    assert args.action == "serve" and args.client_id == "x"
