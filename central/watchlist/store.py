"""The centre's watchlist versions, in the central store beside the records (both engines).

watchlist_versions: one row per published version (monotonic integer, never reused), with its
  entries (JSON) and the signed full list and delta exactly as published (so a lost retained
  message can be republished byte for byte). The entries hold personal data, like `records`.

A new version is made from the current one by replacing the entries of one source: a
`publish FILE` replaces the "national" entries, an `import-sltd` the "sltd" ones, so neither
wipes out the other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from central.db import Database
from messaging.watchlist_entries import Entry, parse_entries

TABLE = """CREATE TABLE IF NOT EXISTS watchlist_versions (
    version INTEGER PRIMARY KEY,
    published_at TEXT NOT NULL,
    operator TEXT NOT NULL,
    entries TEXT NOT NULL,
    full_payload TEXT NOT NULL,
    delta_payload TEXT
)"""


@dataclass(frozen=True, slots=True)
class Change:
    """What a new version changes: entries added or altered (upsert) and ids removed."""

    upsert: list[Entry]
    remove: list[str]

    def __bool__(self) -> bool:
        return bool(self.upsert or self.remove)


def ensure_schema(db: Database) -> None:
    db.execute(TABLE)
    db.commit()


def current(db: Database) -> tuple[int, list[Entry]]:
    """The latest version and its entries; (0, []) before the first publish."""
    ensure_schema(db)
    rows = db.query("SELECT version, entries FROM watchlist_versions"
                    " ORDER BY version DESC LIMIT 1")
    if not rows:
        return 0, []
    return int(rows[0][0]), parse_entries(json.loads(rows[0][1]))


def replace_source(entries: Sequence[Entry], source: str,
                   new: Sequence[Entry]) -> list[Entry]:
    """`entries` with those of `source` replaced by `new` (other sources kept, order kept).
    Raises ValueError when a new id is already used by another source."""
    kept = [e for e in entries if e.source != source]
    clash = {e.id for e in kept} & {e.id for e in new}
    if clash:
        raise ValueError(f"{len(clash)} entry id(s) already used by another source")
    return kept + [e for e in new]


def diff(old: Sequence[Entry], new: Sequence[Entry]) -> Change:
    before = {e.id: e.to_dict() for e in old}
    after = {e.id for e in new}
    return Change([e for e in new if before.get(e.id) != e.to_dict()],
                  sorted(set(before) - after))


def save(db: Database, version: int, entries: Sequence[Entry], *, published_at: str,
         operator: str, full_payload: bytes, delta_payload: bytes | None) -> None:
    """Record a published version and commit. Raises the engine's integrity error when the
    version exists (two publishers at once: the second must start again)."""
    db.execute(
        "INSERT INTO watchlist_versions (version, published_at, operator, entries,"
        " full_payload, delta_payload) VALUES (?, ?, ?, ?, ?, ?)",
        (version, published_at, operator, json.dumps([e.to_dict() for e in entries]),
         full_payload.decode("utf-8"),
         delta_payload.decode("utf-8") if delta_payload is not None else None),
    )
    db.commit()


def payloads(db: Database, version: int) -> tuple[bytes, bytes | None] | None:
    """The signed full list and delta of a version as published, or None."""
    ensure_schema(db)
    rows = db.query("SELECT full_payload, delta_payload FROM watchlist_versions"
                    " WHERE version = ?", (version,))
    if not rows:
        return None
    full, delta = rows[0]
    return str(full).encode("utf-8"), str(delta).encode("utf-8") if delta is not None else None


def versions(db: Database, limit: int = 20) -> list[dict[str, object]]:
    """The latest versions, newest first: number, when, by whom, how many entries (no entry
    content: the console's watchlist page)."""
    ensure_schema(db)
    rows = db.query("SELECT version, published_at, operator, entries FROM watchlist_versions"
                    " ORDER BY version DESC LIMIT ?", (limit,))
    return [{"version": int(v), "published_at": str(at), "operator": str(op),
             "entries": len(json.loads(entries))} for v, at, op, entries in rows]
