"""shellcheck on every shell script of the repository (by suffix or by shebang)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.deploy.helpers import REPO
from tests.peers import require_executable

SHEBANG = re.compile(rb"^#!\s*(/usr)?/bin/(env\s+)?(ba|da)?sh\b")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache",
             ".pytest_cache", "build"}


def shell_scripts(root: Path = REPO) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            if path.suffix in (".sh", ".bash"):
                found.append(path)
            elif path.suffix == "":
                with path.open("rb") as f:
                    if SHEBANG.match(f.readline(200)):
                        found.append(path)
    return sorted(found)


def test_the_known_scripts_are_found() -> None:
    names = {p.relative_to(REPO).as_posix() for p in shell_scripts()}
    assert {"bootstrap", ".ci/run", "deploy/install.sh", "deploy/uninstall.sh"} <= names


def test_shellcheck_every_script() -> None:
    shellcheck = require_executable("shellcheck")
    scripts = [str(p) for p in shell_scripts()]
    r = subprocess.run([shellcheck, "--severity=style", "--format=gcc", *scripts],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
