"""Fixtures of the sealing tests: the centre's keys, and Mosquitto (tests/collector/peers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from messaging.seal import new_key_pair
from tests.collector.peers import mosquitto
from tests.seal.helpers import Keys

__all__ = ["mosquitto"]


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Keys]:
    creds = tmp_path / "credentials"
    creds.mkdir(mode=0o700)
    private_pem, public_pem = new_key_pair()
    (creds / "imdms-central.key").write_text(private_pem)
    public = tmp_path / "central.pub"
    public.write_text(public_pem)
    yield Keys(creds / "imdms-central.key", public, creds)


