"""Storing a run of plain originals in a few statements instead of three per crossing.

Most crossings of a batch are originals (no `amends`): nothing is computed from other rows for
them (but the terminal's clock offset when its clock was not synchronised), unless an amendment
arrived first. On PostgreSQL each
statement is a round trip, and those round trips were most of the collector's time; here a run
of such records costs one look-up (already stored? amended first?), one INSERT and one
indicator INSERT for all of them (multi-row VALUES, Database.insert_rows).

The collector hands over a run only between other messages (the run is stored before the next
one), so every message still takes effect in arrival order. A record that an amendment reached
first is stored by Database.store, which works out the crossing's winner as before.
"""

from __future__ import annotations

from typing import Any

from central.db import (
    ON_RECORD_CONFLICT,
    RECORD_COLUMNS,
    RECORD_WIDTH,
    Database,
    Ingested,
    record_row,
)
from central.photos import has_photos
from records.stats import instant_ms


def plain_original(data: dict[str, Any]) -> bool:
    """A record this module may store: an original without photos (Database.store splits
    those off the payload)."""
    return not data.get("amends") and not has_photos(data)


def store_originals(db: Database, records: list[dict[str, Any]]) -> list[Ingested]:
    """Store valid plain originals (plain_original) in order; one outcome per record."""
    if not records:
        return []
    ids = [str(r["record_id"]) for r in records]
    marks = ", ".join("?" * len(ids))
    known = db.query(
        f"SELECT record_id, root_id FROM records WHERE record_id IN ({marks})"  # noqa: S608
        f" OR root_id IN ({marks})",
        (*ids, *ids),
    )
    stored = {str(rid) for rid, _ in known}
    amended_first = {str(root) for rid, root in known if rid != root}
    out: list[Ingested] = []
    rows: list[tuple[Any, ...]] = []
    tips: list[tuple[str, str]] = []
    later: list[tuple[int, dict[str, Any]]] = []
    offsets: dict[tuple[str, str], int | None] = {}  # a run holds few terminals' boots
    duplicates = 0
    for data, rid in zip(records, ids, strict=True):
        if rid in stored:  # stored before, or earlier in this run
            duplicates += 1
            out.append(Ingested("duplicate", record=data))
            continue
        stored.add(rid)
        if rid in amended_first:
            later.append((len(out), data))
            out.append(Ingested("stored", record=data))  # replaced below
            continue
        recorded_ms, corrected = instant_ms(data["recorded_at"]), False
        if not data["clock_synced"]:  # as Database.store: corrected by a known offset
            boot = (str(data["terminal_id"]), str(data["boot_id"]))
            if boot not in offsets:
                offsets[boot] = db.clock_offset(*boot)
            offset = offsets[boot]
            if offset is not None:
                recorded_ms, corrected = (data["monotonic_ns"] + offset) // 1_000_000, True
        rows.append(record_row(data, recorded_ms, rid, corrected))
        tips.extend((rid, tip) for tip in sorted(set(data.get("tip_indicators") or ())))
        out.append(Ingested("stored", record=data))
    if rows:
        db.insert_rows(RECORD_COLUMNS, RECORD_WIDTH, rows, ON_RECORD_CONFLICT)
    if tips:
        db.insert_rows("INSERT INTO record_indicators (record_id, indicator) VALUES ", 2, tips)
    if duplicates:
        db.bump("duplicates", duplicates)
    for index, data in later:
        out[index] = db.store(data)
    return out
