"""Shared helpers for the deployment tests: the repository root and the install script runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "deploy" / "install.sh"
UNINSTALL = REPO / "deploy" / "uninstall.sh"
UNITS = sorted(p.name for p in (REPO / "systemd").glob("*.service"))
# What a fresh Debian has in /etc/group: the installer must add imdms to these, not make new ones.
HOST_GROUPS = "root:x:0:\ndialout:x:20:\nvideo:x:44:\nplugdev:x:46:\n"


def run_script(script: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": sys.executable}
    env.pop("DESTDIR", None)
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def seed_root(root: Path) -> None:
    """A scratch root that looks like a fresh Debian: base users and getty@tty1 enabled."""
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "group").write_text(HOST_GROUPS)
    wants = root / "etc" / "systemd" / "system" / "getty.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    (wants / "getty@tty1.service").symlink_to("/usr/lib/systemd/system/getty@.service")
