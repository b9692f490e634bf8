"""console/ under the suite's log-hygiene scanner (tests/deploy/test_log_hygiene.py reads the
packages it lists; the console is a root package of its own)."""

from __future__ import annotations

import ast

from tests.deploy.helpers import REPO
from tests.deploy.test_log_hygiene import _problems


def test_console_logs_no_personal_data_and_never_prints() -> None:
    problems = []
    for path in sorted((REPO / "console").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        problems += list(_problems(rel, ast.parse(path.read_text(encoding="utf-8"))))
    assert not problems, "\n".join(problems)
