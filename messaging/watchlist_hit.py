"""A watchlist hit reported to the centre at once, on `<prefix>/<post>/<terminal>/watchlist-hit`
(QoS 1, not retained; messaging/topics.py). Pure: building and checking the event.

    {"kind": "watchlist_hit", "event_id": "<uuid7>", "record_id": "<crossing record id>",
     "list_version": "7", "entry_id": "wl-3f2a...", "category": "WANTED", "match": "name",
     "border_post": "MSU-BRIDGE", "terminal_id": "t1", "occurred_at": "2026-12-03T13:00:00Z"}

No personal data: the entry id stands for what was listed (the centre holds the list), the
record id for the traveller (the crossing arrives sealed on its own topic). `event_id` makes a
redelivery harmless.
"""

from __future__ import annotations

import json
from typing import Any

from messaging.topics import Topics
from messaging.watchlist import WatchlistCheck
from messaging.watchlist_entries import Category
from records.clock import utc_now_iso
from records.codes import WatchlistResult
from records.record import new_record_id

KIND = "watchlist_hit"
FIELDS = ("kind", "event_id", "record_id", "list_version", "entry_id", "category", "match",
          "border_post", "terminal_id", "occurred_at")
MATCHES = ("document", "name")


def hit_event(
    check: WatchlistCheck,
    *,
    record_id: str,
    border_post: str,
    terminal_id: str,
    occurred_at: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """The hit event of a check. Raises ValueError when the check is not a HIT."""
    if check.result is not WatchlistResult.HIT or check.entry_id is None \
            or check.category is None:
        raise ValueError("watchlist hit: the check is not a hit")
    return {
        "kind": KIND,
        "event_id": event_id or new_record_id(),
        "record_id": record_id,
        "list_version": check.version or "",
        "entry_id": check.entry_id,
        "category": check.category.value,
        "match": check.match or "document",
        "border_post": border_post,
        "terminal_id": terminal_id,
        "occurred_at": occurred_at or utc_now_iso(),
    }


def hit_topic(topics: Topics) -> str:
    return topics.watchlist_hit


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode("utf-8")


def parse_hit(payload: bytes) -> dict[str, Any]:
    """A received hit event, checked: exactly FIELDS, text values, a known category and match.
    Raises ValueError naming the field (never a value)."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("watchlist hit: not JSON") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ValueError("watchlist hit: not a watchlist_hit event")
    if set(data) != set(FIELDS):
        raise ValueError("watchlist hit: fields differ from " + ", ".join(FIELDS))
    for key in FIELDS:
        if not isinstance(data[key], str) or len(data[key]) > 200:
            raise ValueError(f"watchlist hit: {key} must be text")
    for key in ("event_id", "record_id", "entry_id"):
        if not data[key]:
            raise ValueError(f"watchlist hit: {key} is empty")
    if data["category"] not in {c.value for c in Category}:
        raise ValueError("watchlist hit: unknown category")
    if data["match"] not in MATCHES:
        raise ValueError("watchlist hit: unknown match")
    return data
