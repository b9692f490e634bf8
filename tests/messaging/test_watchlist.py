"""The local watchlist copy."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from messaging.watchlist import Watchlist, store_payload
from records.codes import WatchlistResult

LIST = {
    "version": "2026-11-27.1",
    "entries": [
        {"document_number": "QX1234567", "nationality": "LSO"},
        {"document_number": "ZZ0000001", "date_of_birth": "1980"},
    ],
}


def test_missing_file_is_not_checked(tmp_path: Path) -> None:
    wl = Watchlist.load(tmp_path / "none.json")
    assert wl.version is None
    assert wl.check("QX1234567", "LSO", None) is WatchlistResult.NOT_CHECKED


def test_store_and_check(tmp_path: Path) -> None:
    path = tmp_path / "wl" / "watchlist.json"
    store_payload(path, json.dumps(LIST).encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wl = Watchlist.load(path)
    assert wl.version == "2026-11-27.1" and len(wl) == 2
    assert wl.check("qx 1234567", "LSO", "1990-03-04") is WatchlistResult.HIT
    assert wl.check("QX1234567", "ZAF", None) is WatchlistResult.NO_HIT
    assert wl.check("ZZ0000001", None, "1980-05-06") is WatchlistResult.HIT
    assert wl.check("ZZ0000001", None, "1981-05-06") is WatchlistResult.NO_HIT
    assert wl.check("AB9999999", "LSO", None) is WatchlistResult.NO_HIT
    assert wl.check(None, "LSO", None) is WatchlistResult.NOT_CHECKED


def test_malformed_payload_keeps_old(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    store_payload(path, json.dumps(LIST).encode())
    with pytest.raises(ValueError):
        store_payload(path, b'{"entries": []}')
    with pytest.raises(ValueError):
        store_payload(path, b"\xff not json")
    assert Watchlist.load(path).version == "2026-11-27.1"


def test_corrupt_file_is_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "watchlist.json"
    path.write_text("{")
    assert Watchlist.load(path).check("QX1234567", None, None) is WatchlistResult.NOT_CHECKED
