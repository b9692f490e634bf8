"""Outbox.add_event: a watchlist hit queued beside crossings and audit events."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdms.errors import SchemaError
from messaging.outbox import Outbox
from messaging.watchlist import WatchlistCheck
from messaging.watchlist_entries import Category
from messaging.watchlist_hit import hit_event
from records.codes import WatchlistResult
from tests.messaging.records import make_record


def _hit(record_id: str) -> dict[str, object]:
    check = WatchlistCheck(WatchlistResult.HIT, "7", "wl-1", Category.WANTED, "Wanted",
                           "Call the supervisor", "document")
    return hit_event(check, record_id=record_id, border_post="MSU-BRIDGE", terminal_id="t1",
                     occurred_at="2026-12-03T13:00:00.000Z", event_id="ev-1")


def test_a_hit_event_is_queued_once_with_its_kind(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        rec = make_record()
        box.add(rec)
        event = _hit(rec.record_id)  # the same record id as the crossing: no clash
        box.add_event("watchlist_hit", event)
        box.add_event("watchlist_hit", event)  # a retry: stored once
        rows = box.fetch(0, 5)
        assert [r.kind for r in rows] == ["crossing", "watchlist_hit"]
        assert rows[1].record_id == "ev-1"
        assert [d for _, d in box.iter_all()][1] == event


def test_unknown_kind_and_bad_event_are_refused(tmp_path: Path) -> None:
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        with pytest.raises(SchemaError, match="unknown event kind"):
            box.add_event("gossip", _hit("r1"))
        bad = _hit("r1") | {"category": "NOPE"}
        with pytest.raises(SchemaError, match="unknown category"):
            box.add_event("watchlist_hit", bad)
        assert box.status().pending == 0


def test_an_export_with_a_hit_imports_as_a_hit(tmp_path: Path) -> None:
    """A USB export mixes crossings, audit events and hits: each comes back as its kind, the
    hit under its event id (not the crossing's record id, which it also carries)."""
    with Outbox(tmp_path / "booth.sqlite3") as box:
        rec = make_record()
        box.add(rec)
        box.add_event("watchlist_hit", _hit(rec.record_id))
        lines = [d for _, d in box.iter_all()]
    with Outbox(tmp_path / "office.sqlite3") as office:
        results = office.add_many(lines, imported=True, keep_rejected=True)
        assert [r.state for r in results] == ["queued", "queued"]
        assert [r.kind for r in office.fetch(0, 5, live=False, upto=10)] == ["crossing",
                                                                            "watchlist_hit"]
        again = office.add_many(lines, imported=True)
        assert [r.state for r in again] == ["known", "known"]
