"""Hit reports: a pure builder with no personal data, and the centre's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.db import Database
from central.watchlist.hits import list_hits, receive
from messaging.topics import Topics
from messaging.watchlist import Watchlist, WatchlistCheck
from messaging.watchlist_hit import encode, hit_event, hit_topic, parse_hit
from tests.watchlist.conftest import CHILD, DOC

TOPICS = Topics("imdms/v1", "MSU-BRIDGE", "t1")
WL = Watchlist.of("12", [DOC, CHILD], 12)


def event(check: WatchlistCheck, **kw: str) -> dict[str, str]:
    return hit_event(check, record_id="rec-1", border_post="MSU-BRIDGE", terminal_id="t1",
                     occurred_at="2026-12-03T13:00:00Z", **kw)


def test_hit_event_carries_no_personal_data() -> None:
    check = WL.lookup(surname="MUELLER", given_names="ANNA MARIA", date_of_birth="2015-04-09")
    ev = event(check)
    assert ev["entry_id"] == "wl-child" and ev["category"] == "MISSING_CHILD_TIP"
    assert ev["list_version"] == "12" and ev["match"] == "name" and ev["record_id"] == "rec-1"
    text = encode(ev).decode()
    for personal in ("MUELLER", "MÜLLER", "ANNA", "2015-04-09", "QX1234567", "instruction"):
        assert personal not in text
    assert parse_hit(encode(ev)) == ev
    assert hit_topic(TOPICS) == "imdms/v1/MSU-BRIDGE/t1/watchlist-hit"
    assert TOPICS.all_watchlist_hits == "imdms/v1/+/+/watchlist-hit"


def test_only_a_hit_makes_an_event() -> None:
    with pytest.raises(ValueError):
        event(WL.lookup(document_number="NOPE1"))


@pytest.mark.parametrize("change", [
    {"surname": "MUELLER"}, {"category": "SPY"}, {"match": "face"}, {"entry_id": ""},
    {"kind": "crossing"},
])
def test_parse_refuses_odd_events(change: dict[str, str]) -> None:
    ev = dict(event(WL.lookup(document_number="QX1234567")), **change)
    with pytest.raises(ValueError) as info:
        parse_hit(json.dumps(ev).encode())
    assert "MUELLER" not in str(info.value)


def test_centre_stores_each_hit_once(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "central.sqlite3"))
    try:
        ev = event(WL.lookup(document_number="QX1234567"), event_id="ev-1")
        assert receive(db, hit_topic(TOPICS), encode(ev)) is True
        assert receive(db, hit_topic(TOPICS), encode(ev)) is False  # redelivery
        other = Topics("imdms/v1", "MAPUTSOE", "t9").watchlist_hit
        spoofed = dict(ev, event_id="ev-2")
        assert receive(db, other, encode(spoofed)) is False  # not the sender's own topic
        assert receive(db, hit_topic(TOPICS), b"{") is False
        (stored,) = list_hits(db)
        assert stored["entry_id"] == "wl-doc" and stored["category"] == "LOST_STOLEN_DOCUMENT"
        assert list_hits(db, record_id="rec-1") == [stored]
        assert list_hits(db, record_id="rec-2") == []
    finally:
        db.close()

