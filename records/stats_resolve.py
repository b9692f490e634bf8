"""Per-record counting rules: duplicates and amendments resolved to one effective version per
crossing, its time, local day, age band and minor status. Rules: records/stats.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from records.codes import UNDER_18, Sex, age_band
from records.record import age_on
from records.stats_summary import (
    DEFAULT_UTC_OFFSET_MINUTES,
    UNKNOWN,
    Period,
)


@dataclass(frozen=True)
class Resolution:
    """Effective records after dropping duplicates and applying amendments.

    effective: one record per crossing (the winning version), with `crossing_ms` its time.
    duplicates: copies dropped; superseded: versions replaced by an amendment;
    voided: crossings cancelled by a void amendment (not in `effective`).
    """

    effective: list[tuple[Mapping[str, Any], int]]
    duplicates: int
    superseded: int
    voided: int = 0


def instant_ms(recorded_at: str) -> int:
    """Milliseconds since the Unix epoch of an ISO 8601 timestamp (naive means UTC)."""
    dt = datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def local_day(ms: int, utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES) -> date:
    """The local calendar day of an instant (same rule as the SQL: floor to whole seconds)."""
    seconds = ms // 1000 + utc_offset_minutes * 60
    return (datetime(1970, 1, 1) + timedelta(seconds=seconds)).date()


def period_label(day: date, period: Period) -> str:
    return day.isoformat() if period == "day" else day.isoformat()[:7]


def age_fields(rec: Mapping[str, Any], crossing_ms: int) -> tuple[str | None, bool | None]:
    """(age band, minor) of a record at its crossing time (see the module rules)."""
    dob = rec.get("date_of_birth")
    if dob and not rec.get("age_estimated"):
        age = age_on(str(dob), utc_day(crossing_ms))
        return age_band(age), None if age is None else age < UNDER_18
    minor = rec.get("minor")
    return rec.get("age_band"), minor if isinstance(minor, bool) else None


def is_unaccompanied(rec: Mapping[str, Any], minor: bool | None) -> bool:
    """A minor travelling with no linked adult and in no group (an adult processed at another
    booth, `minor_travel`, is an adult all the same)."""
    return minor is True and not rec.get("accompanying_adult_ref") and not rec.get("group_id") \
        and rec.get("minor_travel") != "ADULT_AT_OTHER_BOOTH"


def category_source(rec: Mapping[str, Any]) -> str:
    """How the traveller category and purpose were set (issue 21): PROPOSED_CONFIRMED (the
    booth proposed them from the document's last crossing and the officer confirmed),
    PROPOSAL_CHANGED (proposed, then changed), CHOSEN (no proposal: chosen by hand, and every
    record made before proposals existed)."""
    proposed = rec.get("category_proposed")
    if proposed is True:
        return "PROPOSED_CONFIRMED"
    if proposed is False:
        return "PROPOSAL_CHANGED"
    return "CHOSEN"


def utc_day(ms: int) -> date:
    return local_day(ms, 0)


def sex_label(value: Any) -> str:
    try:
        return Sex(int(value)).name
    except (TypeError, ValueError):
        return UNKNOWN


def _root(record_id: str, by_id: Mapping[str, Mapping[str, Any]]) -> str:
    seen = {record_id}
    current = record_id
    while True:
        rec = by_id.get(current)
        parent = rec.get("amends") if rec is not None else None
        if not parent or parent in seen:  # no parent, or a malformed cycle: stop
            return current
        seen.add(parent)
        current = parent


def resolve(records: Iterable[Mapping[str, Any]]) -> Resolution:
    """Drop duplicates and apply amendments (see the module rules)."""
    by_id: dict[str, Mapping[str, Any]] = {}
    duplicates = 0
    for rec in records:
        rid = rec["record_id"]
        if rid in by_id:
            duplicates += 1
            continue
        by_id[rid] = rec
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for rid in by_id:
        groups.setdefault(_root(rid, by_id), []).append(by_id[rid])
    effective: list[tuple[Mapping[str, Any], int]] = []
    voided = 0
    for root_id, members in groups.items():
        winner = max(members, key=version_key)
        if is_void(winner):
            voided += 1
            continue
        root = by_id.get(root_id)
        time_source = root if root is not None else winner
        effective.append((winner, instant_ms(time_source["recorded_at"])))
    return Resolution(effective, duplicates, len(by_id) - len(groups), voided)


def is_void(rec: Mapping[str, Any]) -> bool:
    """True for a version that cancels its crossing (a void amendment: duplicate/mistake)."""
    return bool(rec.get("void")) and rec.get("amends") is not None


def version_key(rec: Mapping[str, Any]) -> tuple[bool, int, str]:
    """Order of versions of one crossing: amendments after the original, then latest."""
    return (rec.get("amends") is not None, instant_ms(rec["recorded_at"]), rec["record_id"])
