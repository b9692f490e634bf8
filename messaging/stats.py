"""Migration statistics: ONE pure aggregation shared by the booth and the central report.

`summarise(records)` takes CrossingRecord.to_dict() dicts (any order, duplicates allowed) and
returns a `Summary`. The booth's shift summary calls it on its own records; the central report
computes the same figures in SQL and a test proves the two agree exactly.  Standard library only.

Rules (the SQL in central/ follows them; change both together):
- Duplicates (same record_id) count once; the first copy seen is kept.
- A record with `amends` replaces the record it corrects. Chains are followed to the first
  record (the "root"); when several records amend one crossing the latest wins, ordered by
  (recorded_at as an instant, record_id). An amendment always beats the original. An amendment
  whose original was never seen stands in for it.
- A winning version with `void` set (an amendment "void: duplicate/mistake") cancels its
  crossing: it is counted nowhere (`is_void`; the central report uses the same function).
- The crossing's time is the root record's recorded_at (an amendment corrects the data, not
  when the person crossed); it falls back to the amendment's own when the root is missing.
- Periods (day, month) are local days at `utc_offset_minutes` from UTC (default +120 min,
  Lesotho's SAST: fixed, no daylight saving). Filters (since/until/border_post) apply to the
  effective record after amendments are resolved.
- Missing values are counted under "UNKNOWN" (age band, nationality); sex uses ISO 5218 names.
- Undocumented: capture_method NO_DOCUMENT. Minor: `minor` is true (unknown age is not a minor).
- Trafficking indicators and referrals are sensitive: they are kept in `Summary.sensitive`
  and never appear in the general tables.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from messaging.codes import CaptureMethod, Direction, Sex, TipReferral

UNKNOWN = "UNKNOWN"
KEY_SEP = "|"
DEFAULT_UTC_OFFSET_MINUTES = 120  # Africa/Maseru (SAST), no DST
CELL_DIMENSIONS = ("direction", "sex", "age_band", "nationality")
Period = Literal["day", "month"]


@dataclass(frozen=True)
class SensitiveSummary:
    """Trafficking-in-persons indicators and referrals: for restricted reports only.

    indicators: indicator code -> persons flagged with it (a person may carry several).
    referrals: referral route -> persons referred (NONE is not counted).
    persons_flagged: persons with at least one indicator.
    """

    indicators: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, int] = field(default_factory=dict)
    persons_flagged: int = 0


@dataclass(frozen=True)
class Summary:
    """Counts of persons (effective records after duplicates and amendments).

    cells: "<direction>|<sex>|<age_band>|<nationality>[|<border_post>][|<period>]" -> persons;
      `dimensions` names the key parts in order.
    totals, undocumented, minors: keyed by the group key "<direction>[|<post>][|<period>]";
      `group_dimensions` names its parts.
    Keys are split with `KEY_SEP` ("|"), which no code value contains.
    """

    dimensions: tuple[str, ...]
    group_dimensions: tuple[str, ...]
    cells: dict[str, int]
    totals: dict[str, int]
    undocumented: dict[str, int]
    minors: dict[str, int]
    persons: int
    entries: int
    exits: int
    net_migration: int
    sensitive: SensitiveSummary

    def marginal(self, dimension: str) -> dict[str, int]:
        """Persons by one dimension of `cells` (e.g. "sex"), summed over the others."""
        i = self.dimensions.index(dimension)
        out: Counter[str] = Counter()
        for key, n in self.cells.items():
            out[key.split(KEY_SEP)[i]] += n
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))


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


def summarise(
    records: Iterable[Mapping[str, Any]],
    *,
    by_post: bool = False,
    period: Period | None = None,
    since: date | None = None,
    until: date | None = None,
    border_post: str | None = None,
    utc_offset_minutes: int = DEFAULT_UTC_OFFSET_MINUTES,
) -> Summary:
    """Disaggregated counts of persons crossing.

    by_post / period add border_post and day or month ("YYYY-MM-DD" / "YYYY-MM") to the keys.
    since / until: inclusive local days; border_post: only that post. Pure: no I/O.
    """
    resolution = resolve(records)
    cells: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    undocumented: Counter[str] = Counter()
    minors: Counter[str] = Counter()
    indicators: Counter[str] = Counter()
    referrals: Counter[str] = Counter()
    flagged = entries = exits = 0
    for rec, crossing_ms in resolution.effective:
        day = local_day(crossing_ms, utc_offset_minutes)
        if (since and day < since) or (until and day > until):
            continue
        if border_post is not None and rec["border_post"] != border_post:
            continue
        group = [str(rec["direction"])]
        if by_post:
            group.append(str(rec["border_post"]))
        if period:
            group.append(period_label(day, period))
        gkey = KEY_SEP.join(group)
        cell = [
            group[0],
            sex_label(rec.get("sex")),
            rec.get("age_band") or UNKNOWN,
            rec.get("nationality") or UNKNOWN,
            *group[1:],
        ]
        cells[KEY_SEP.join(cell)] += 1
        totals[gkey] += 1
        if rec["direction"] == Direction.ENTRY:
            entries += 1
        else:
            exits += 1
        if rec.get("capture_method") == CaptureMethod.NO_DOCUMENT:
            undocumented[gkey] += 1
        if rec.get("minor") is True:
            minors[gkey] += 1
        tips = rec.get("tip_indicators") or ()
        for tip in set(tips):
            indicators[str(tip)] += 1
        if tips:
            flagged += 1
        referral = rec.get("tip_referral") or TipReferral.NONE
        if referral != TipReferral.NONE:
            referrals[str(referral)] += 1
    return make_summary(
        by_post=by_post,
        period=period,
        cells=cells,
        totals=totals,
        undocumented=undocumented,
        minors=minors,
        entries=entries,
        exits=exits,
        indicators=indicators,
        referrals=referrals,
        flagged=flagged,
    )


def make_summary(
    *,
    by_post: bool,
    period: Period | None,
    cells: Mapping[str, int],
    totals: Mapping[str, int],
    undocumented: Mapping[str, int],
    minors: Mapping[str, int],
    entries: int,
    exits: int,
    indicators: Mapping[str, int],
    referrals: Mapping[str, int],
    flagged: int,
) -> Summary:
    """Assemble a Summary from counts (shared by summarise() and the central SQL report, so
    both produce the same shape and ordering)."""
    dims = list(CELL_DIMENSIONS)
    gdims = ["direction"]
    if by_post:
        dims.append("border_post")
        gdims.append("border_post")
    if period:
        dims.append(period)
        gdims.append(period)
    return Summary(
        dimensions=tuple(dims),
        group_dimensions=tuple(gdims),
        cells=dict(sorted(cells.items())),
        totals=dict(sorted(totals.items())),
        undocumented=dict(sorted(undocumented.items())),
        minors=dict(sorted(minors.items())),
        persons=entries + exits,
        entries=entries,
        exits=exits,
        net_migration=entries - exits,
        sensitive=SensitiveSummary(
            indicators=dict(sorted(indicators.items())),
            referrals=dict(sorted(referrals.items())),
            persons_flagged=flagged,
        ),
    )
