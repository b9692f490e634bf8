"""Photos at the centre: split off a crossing when it is stored, kept in their own table, read by
the trace and purged by [retention] photos_days.

A crossing's photos (the booth camera's `photo_jpeg`, the chip's `document_face_jpeg`: base64
JPEGs, opened from the sealed part by central/unseal.py) never reach `records.payload`: the
report and records.stats read payloads, and must never see a photo. The payload keeps
`photo_consent` and nulls in the photo fields; `photos` holds the JPEG, keyed by record and kind.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# record field -> kind in the table (and in `imdms trace --photos` file names)
PHOTO_FIELDS = {"photo_jpeg": "booth", "document_face_jpeg": "document"}
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS photos (
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        crossing_ms BIGINT NOT NULL,
        size_bytes INTEGER NOT NULL,
        jpeg_b64 TEXT NOT NULL,
        PRIMARY KEY (record_id, kind)
    )""",
    "CREATE INDEX IF NOT EXISTS photos_time ON photos (crossing_ms)",
)


class Store(Protocol):
    """central.db.Database, as far as photos need it."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...

    def query(self, sql: str, params: Sequence[Any] = ...) -> list[tuple[Any, ...]]: ...


@dataclass(frozen=True, slots=True)
class Photo:
    record_id: str
    kind: str  # "booth" | "document"
    jpeg: bytes = field(repr=False)


def has_photos(data: dict[str, Any]) -> bool:
    """Whether a record carries a photo (split off before it is stored)."""
    return any(isinstance(data.get(name), str) and data[name] for name in PHOTO_FIELDS)


def split_photos(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the record without its photos, {kind: base64 JPEG}). The record is not changed."""
    photos = {kind: data[name] for name, kind in PHOTO_FIELDS.items()
              if isinstance(data.get(name), str) and data[name]}
    if not photos:
        return data, {}
    return {k: (None if k in PHOTO_FIELDS else v) for k, v in data.items()}, photos


def store_photos(db: Store, record_id: str, photos: dict[str, str], crossing_ms: int) -> int:
    """Keep a stored record's photos (a redelivered record's are already there). Returns how
    many were added."""
    added = 0
    for kind, b64 in sorted(photos.items()):
        try:
            size = len(base64.b64decode(b64, validate=True))
        except (binascii.Error, ValueError):
            continue  # the schema's pattern lets only base64 through; never store junk
        cur = db.execute(
            "INSERT INTO photos (record_id, kind, crossing_ms, size_bytes, jpeg_b64)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (record_id, kind) DO NOTHING",
            (record_id, kind, crossing_ms, size, b64),
        )
        added += max(0, int(cur.rowcount))
    return added


def photos_of(db: Store, record_ids: Sequence[str]) -> list[Photo]:
    """The photos of these records, in record then kind order."""
    out: list[Photo] = []
    for rid in record_ids:
        for kind, b64 in db.query(
                "SELECT kind, jpeg_b64 FROM photos WHERE record_id = ? ORDER BY kind", (rid,)):
            out.append(Photo(rid, str(kind), base64.b64decode(str(b64))))
    return out


def photo_kinds(db: Store, record_id: str) -> list[str]:
    """Which photos a record has ("booth", "document"), without reading them."""
    return [str(r[0]) for r in db.query(
        "SELECT kind FROM photos WHERE record_id = ? ORDER BY kind", (record_id,))]


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


OF_ROOTS = ("FROM photos WHERE crossing_ms >= ? AND record_id IN"
            " (SELECT record_id FROM records WHERE root_id IN ({marks}))")


def expired_photos(db: Store, before_ms: int, roots: Sequence[str] = ()) -> int:
    """How many photos a purge deletes: older than `before_ms` ([retention] photos_days), or
    of a crossing (root id) being deleted."""
    count = int(db.query("SELECT COUNT(*) FROM photos WHERE crossing_ms < ?",
                         (before_ms,))[0][0])
    for part in _chunks(sorted(roots)):
        sql = "SELECT COUNT(*) " + OF_ROOTS.format(marks=", ".join("?" * len(part)))
        count += int(db.query(sql, (before_ms, *part))[0][0])
    return count


def delete_photos(db: Store, before_ms: int, roots: Sequence[str] = ()) -> int:
    """Delete what expired_photos counts (before the crossings themselves are deleted)."""
    gone = max(0, int(db.execute("DELETE FROM photos WHERE crossing_ms < ?",
                                 (before_ms,)).rowcount))
    for part in _chunks(sorted(roots)):
        sql = "DELETE " + OF_ROOTS.format(marks=", ".join("?" * len(part)))
        gone += max(0, int(db.execute(sql, (before_ms, *part)).rowcount))
    return gone
