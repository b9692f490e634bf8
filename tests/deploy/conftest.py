"""Fixtures of the deployment tests (helpers in tests/deploy/helpers.py): a scratch root."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.helpers import seed_root


@pytest.fixture
def scratch_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    seed_root(root)
    return root
