"""Versions only move forward, one step at a time: a delta applies only on its base; out of
order, gaps and replays are refused and the retained full list recovers the booth."""

from __future__ import annotations

from pathlib import Path

import pytest
from nacl.signing import SigningKey

from messaging.watchlist import Watchlist, WatchlistRefused, store_payload
from tests.watchlist.conftest import BAN, CHILD, DOC, WANTED, delta, entries_of, full


def reason(path: Path, payload: bytes) -> str:
    with pytest.raises(WatchlistRefused) as info:
        store_payload(path, payload)
    return info.value.reason


@pytest.fixture
def at_v1(booth_dir: Path, centre_key: SigningKey) -> Path:
    path = booth_dir / "watchlist.json"
    store_payload(path, full(centre_key, 1, [DOC, CHILD]))
    return path


def test_deltas_in_order(at_v1: Path, centre_key: SigningKey) -> None:
    wl = store_payload(at_v1, delta(centre_key, 1, [BAN]))
    assert wl.number == 2 and entries_of(wl) == {"wl-doc", "wl-child", "wl-ban"}
    changed = CHILD.__class__(**{**CHILD.to_dict(), "instruction": "New instruction.",
                                 "category": CHILD.category})
    wl = store_payload(at_v1, delta(centre_key, 2, [changed, WANTED], ("wl-doc",)))
    assert wl.number == 3 and entries_of(wl) == {"wl-child", "wl-ban", "wl-wanted"}
    assert {e.id: e.instruction for e in wl.entries}["wl-child"] == "New instruction."
    assert entries_of(Watchlist.load(at_v1)) == entries_of(wl)


def test_out_of_order_delta_waits_for_the_full_list(at_v1: Path, centre_key: SigningKey) -> None:
    assert reason(at_v1, delta(centre_key, 2, [WANTED])) == "base"  # 2->3 arrived before 1->2
    assert Watchlist.load(at_v1).number == 1
    wl = store_payload(at_v1, full(centre_key, 3, [DOC, CHILD, BAN, WANTED]))
    assert wl.number == 3
    assert reason(at_v1, delta(centre_key, 1, [BAN])) == "stale"  # the late 1->2: too old


def test_gap_is_refused(at_v1: Path, centre_key: SigningKey) -> None:
    assert reason(at_v1, delta(centre_key, 4, [BAN])) == "base"
    assert reason(at_v1, delta(centre_key, 1, [BAN], version=3)) == "malformed"  # skips 2
    assert Watchlist.load(at_v1).number == 1


def test_replay_is_refused(at_v1: Path, centre_key: SigningKey) -> None:
    step = delta(centre_key, 1, [BAN])
    store_payload(at_v1, step)
    assert reason(at_v1, step) == "stale"
    assert reason(at_v1, full(centre_key, 1, [DOC, CHILD])) == "stale"  # an old full list
    assert reason(at_v1, full(centre_key, 2, [DOC])) == "stale"  # equal version, other content
    assert Watchlist.load(at_v1).number == 2


def test_the_retained_list_again_is_no_change(at_v1: Path, centre_key: SigningKey) -> None:
    before = at_v1.stat().st_mtime_ns
    wl = store_payload(at_v1, full(centre_key, 1, [DOC, CHILD]))  # every reconnect
    assert wl.number == 1 and at_v1.stat().st_mtime_ns == before


def test_delta_before_any_list_waits(booth_dir: Path, centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    assert reason(path, delta(centre_key, 1, [BAN])) == "base"
    assert not path.exists()


def test_unsigned_legacy_list_is_replaced_by_a_signed_one(booth_dir: Path,
                                                          centre_key: SigningKey) -> None:
    path = booth_dir / "watchlist.json"
    path.write_text('{"version": "demo-1", "entries": [{"document_number": "X1"}]}')
    assert Watchlist.load(path).number is None
    assert store_payload(path, full(centre_key, 1, [DOC])).number == 1
