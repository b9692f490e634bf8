"""The local watchlist copy: missing or corrupt files mean NOT_CHECKED, a refused update keeps
the held list."""

from __future__ import annotations

from pathlib import Path

import pytest
from nacl.signing import SigningKey

from messaging.watchlist import Watchlist, store_payload
from records.codes import WatchlistResult
from tests.watchlist.conftest import DOC, full


def test_missing_file_is_not_checked(tmp_path: Path) -> None:
    wl = Watchlist.load(tmp_path / "none.json")
    assert wl.version is None
    assert wl.check("QX1234567", "LSO", None) is WatchlistResult.NOT_CHECKED


def test_malformed_payload_keeps_old(booth_dir: Path, centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    store_payload(path, full(centre_key, 3, [DOC]))
    with pytest.raises(ValueError):
        store_payload(path, b'{"entries": []}')
    with pytest.raises(ValueError):
        store_payload(path, b"\xff not json")
    assert Watchlist.load(path).version == "3"


def test_corrupt_file_is_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text("{")
    assert Watchlist.load(path).check("QX1234567", None, None) is WatchlistResult.NOT_CHECKED
