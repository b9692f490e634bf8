"""OCR test fixtures: the public dev corpus (../shared/data/mrz-dev) when present."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.ocr.helpers import DEV_CORPUS
from tests.ocr.render import OCRB
from tests.peers import require_peer


@pytest.fixture(scope="session")
def dev_corpus() -> dict[str, dict[str, Any]]:
    """file -> ground-truth record of the shared dev corpus (a test peer: fails in CI if absent)."""
    gt = DEV_CORPUS / "ground_truth.json"
    require_peer("shared/data/mrz-dev corpus", gt.exists())
    data = json.loads(gt.read_text())
    return {r["file"]: r for r in data["images"]}


@pytest.fixture(scope="session", autouse=True)
def ocrb_font() -> None:
    require_peer("fonts-ocr-b", OCRB.exists())
