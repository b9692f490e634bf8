"""The centre's store of watchlist hits (messaging/watchlist_hit.py events), for the case list.

watchlist_hits: one row per hit event (event_id: a redelivery is stored once), with the
  crossing's record id, the list version, the entry id and category, where and when. It holds
  no personal data; joining the entry id with watchlist_versions or the record id with
  `records` is what a tracing role does (and is audited there).

The collector (or any subscriber of `<prefix>/+/+/watchlist-hit`) hands each message to
`receive`. The topic's post and terminal must match the event's: the broker's ACL lets a
terminal publish only under its own topic, so the topic is what vouches for the sender.
"""

from __future__ import annotations

import logging
from typing import Any

from central.db import Database
from messaging.watchlist_hit import parse_hit
from records.clock import utc_now_iso

log = logging.getLogger(__name__)
TABLE = """CREATE TABLE IF NOT EXISTS watchlist_hits (
    event_id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    list_version TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    category TEXT NOT NULL,
    match TEXT NOT NULL,
    border_post TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    received_at TEXT NOT NULL
)"""
INDEX = "CREATE INDEX IF NOT EXISTS watchlist_hits_record ON watchlist_hits (record_id)"
COLUMNS = ("event_id", "record_id", "list_version", "entry_id", "category", "match",
           "border_post", "terminal_id", "occurred_at", "received_at")


def ensure_schema(db: Database) -> None:
    db.execute(TABLE)
    db.execute(INDEX)
    db.commit()


def receive(db: Database, topic: str, payload: bytes) -> bool:
    """Store one hit message and commit; True when new, False for a redelivery or a refused
    message (logged without its content)."""
    try:
        hit = parse_hit(payload)
    except ValueError as err:
        log.warning("watchlist hit on %s refused: %s", topic, err)
        return False
    parts = topic.split("/")
    if len(parts) < 3 or parts[-3:-1] != [hit["border_post"], hit["terminal_id"]]:
        log.warning("watchlist hit on %s refused: post/terminal differ from the topic", topic)
        return False
    return store_hit(db, hit)


def store_hit(db: Database, hit: dict[str, Any]) -> bool:
    """Insert a checked hit (parse_hit) and commit; False when its event_id is stored."""
    ensure_schema(db)
    new = _insert(db, hit)
    db.commit()
    return new


def ingest(db: Database, topic: str, payload: bytes) -> str:
    """The collector's path, inside its batch transaction (no commit here; the schema is made
    at the writer's start): "stored", "duplicate", or "rejected" (kept in `rejected`)."""
    try:
        hit = parse_hit(payload)
    except ValueError as err:
        db.reject(topic, payload, f"watchlist hit refused: {err}")
        return "rejected"
    parts = topic.split("/")
    if len(parts) < 3 or parts[-3:-1] != [hit["border_post"], hit["terminal_id"]]:
        db.reject(topic, payload, "watchlist hit refused: post/terminal differ from the topic")
        return "rejected"
    return "stored" if _insert(db, hit) else "duplicate"


def _insert(db: Database, hit: dict[str, Any]) -> bool:
    if db.query("SELECT 1 FROM watchlist_hits WHERE event_id = ?", (hit["event_id"],)):
        return False
    row = [hit[c] for c in COLUMNS[:-1]] + [utc_now_iso()]
    db.execute(f"INSERT INTO watchlist_hits ({', '.join(COLUMNS)})"  # noqa: S608
               f" VALUES ({', '.join('?' for _ in COLUMNS)})", row)
    log.info("watchlist hit %s stored (%s, %s/%s)", hit["event_id"], hit["category"],
             hit["border_post"], hit["terminal_id"])
    return True


def list_hits(db: Database, *, limit: int = 100, record_id: str | None = None
              ) -> list[dict[str, Any]]:
    """The latest hits (newest first), optionally those of one crossing record."""
    ensure_schema(db)
    sql = f"SELECT {', '.join(COLUMNS)} FROM watchlist_hits"
    params: list[Any] = []
    if record_id is not None:
        sql += " WHERE record_id = ?"
        params.append(record_id)
    sql += " ORDER BY occurred_at DESC, event_id DESC LIMIT ?"
    params.append(limit)
    return [dict(zip(COLUMNS, (str(v) for v in row), strict=True))
            for row in db.query(sql, params)]
