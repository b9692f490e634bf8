"""A person's crossings in time order, with companions, referrals and watchlist results.

The time is `records.crossing_ms` of the crossing's current version: the booth's time, or the
time corrected from the terminal's monotonic clock when its wall clock was not synchronised
(central.db), so crossings at posts with wrong clocks still sort as they happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from central.db import Database
from central.photos import photo_kinds
from records.clock import ms_to_iso

# `+r.is_current`: SQLite would otherwise start from records_report (every current row)
SELECT = (
    "SELECT e.person_id, e.root_id, r.record_id, r.crossing_ms, r.clock_synced,"
    " r.time_corrected, r.direction, r.border_post, e.group_id, e.adult_ref, r.minor, e.home,"
    " e.stay_days, r.tip_referral, e.watchlist, ad.person_id"
    " FROM trace_entries e JOIN records r ON r.root_id = e.root_id AND +r.is_current = 1"
    " LEFT JOIN trace_entries ad ON ad.root_id = e.adult_ref"
)


@dataclass(slots=True)
class Crossing:
    """One crossing of a person as the trace shows it."""

    person_id: str
    root_id: str
    record_id: str
    at_ms: int
    clock: str  # "synced", "corrected" or "uncorrected" (booth clock off, not yet corrected)
    direction: str
    post: str
    group_id: str | None
    adult_ref: str | None
    minor: bool
    home: bool
    stay_days: int | None
    referral: str
    watchlist: str
    adult_person: str | None
    companions: list[dict[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    photos: list[str] = field(default_factory=list)  # kinds kept (central/photos.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "crossing_id": self.root_id,
            "at": ms_to_iso(self.at_ms),
            "clock": self.clock,
            "direction": self.direction,
            "post": self.post,
            "group_id": self.group_id,
            "minor": self.minor,
            "intended_stay_days": self.stay_days,
            "referral": self.referral,
            "watchlist": self.watchlist,
            "companions": self.companions,
            "flags": self.flags,
            "photos": self.photos,
        }


def crossing(row: Sequence[Any]) -> Crossing:
    synced, corrected = bool(row[4]), bool(row[5])
    return Crossing(
        person_id=str(row[0]),
        root_id=str(row[1]),
        record_id=str(row[2]),
        at_ms=int(row[3]),
        clock="synced" if synced else ("corrected" if corrected else "uncorrected"),
        direction=str(row[6]),
        post=str(row[7]),
        group_id=row[8],
        adult_ref=row[9],
        minor=bool(row[10]),
        home=bool(row[11]),
        stay_days=None if row[12] is None else int(row[12]),
        referral=str(row[13]),
        watchlist=str(row[14]),
        adult_person=None if row[15] is None else str(row[15]),
    )


def crossings_of(db: Database, person_id: str) -> list[Crossing]:
    """The person's crossings, oldest first (companions not filled)."""
    rows = db.query(
        SELECT + " WHERE e.person_id = ? ORDER BY r.crossing_ms, e.root_id", (person_id,)
    )
    out = [crossing(r) for r in rows]
    for c in out:  # photos belong to the original record (an amendment carries none)
        c.photos = sorted({k for rid in {c.root_id, c.record_id} for k in photo_kinds(db, rid)})
    return out


def add_companions(db: Database, c: Crossing) -> None:
    """Fill c.companions: the same group, the adult a minor crossed with, minors in c's care."""
    seen = {c.root_id}
    found: list[tuple[str, str, str]] = []
    if c.adult_ref:
        for root, rid in db.query(
            "SELECT root_id, record_id FROM trace_entries WHERE root_id = ? OR record_id = ?",
            (c.adult_ref, c.adult_ref),
        ):
            found.append((str(root), str(rid), "accompanying adult"))
    for root, rid in db.query(
        "SELECT root_id, record_id FROM trace_entries WHERE adult_ref IN (?, ?)",
        (c.root_id, c.record_id),
    ):
        found.append((str(root), str(rid), "minor in their care"))
    if c.group_id:
        for root, rid in db.query(
            "SELECT root_id, record_id FROM trace_entries WHERE group_id = ? ORDER BY root_id",
            (c.group_id,),
        ):
            found.append((str(root), str(rid), "same group"))
    for root, rid, relation in found:
        if root in seen:
            continue
        seen.add(root)
        rows = db.query("SELECT person_id FROM trace_entries WHERE root_id = ?", (root,))
        c.companions.append({"record_id": rid, "person_id": str(rows[0][0]), "relation": relation})
