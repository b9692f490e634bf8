"""Migration statistics: ONE pure aggregation shared by the booth and the central report.

`summarise(records)` takes CrossingRecord.to_dict() dicts (any order, duplicates allowed) and
returns a `Summary`. The booth's shift summary calls it on its own records; the central report
computes the same figures in SQL and a test proves the two agree exactly. Standard library and
records.record (age arithmetic) only.

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
- A REFUSED decision is not a crossing: it is left out of cells, totals, entries, exits, net
  migration and every breakdown except `decision`, and counted in `refusals` by reason (A-I).
- Age band and minor: from the date of birth at the crossing time (UTC date of crossing_ms, so
  a centre-corrected time gives the corrected age) when the record has a date of birth and the
  age was not estimated; otherwise the record's own age_band/minor.
- Missing values are counted under "UNKNOWN" (age band, nationality, breakdown values); sex
  uses ISO 5218 names.
- Undocumented: capture_method NO_DOCUMENT. Minor: the age above is under 18 (unknown age is
  not a minor). Unaccompanied minor: a minor with no accompanying_adult_ref and no group_id.
- Trafficking indicators and referrals are sensitive: they are kept in `Summary.sensitive`
  (over every effective record, refused or not) and never appear in the general tables.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from records.codes import UNDER_18, CaptureMethod, Decision, Direction, Sex, TipReferral, age_band
from records.record import age_on

UNKNOWN = "UNKNOWN"
KEY_SEP = "|"
DEFAULT_UTC_OFFSET_MINUTES = 120  # Africa/Maseru (SAST), no DST
CELL_DIMENSIONS = ("direction", "sex", "age_band", "nationality")
# breakdown name -> record field; each is its own table "<direction>|<value>[|post][|period]"
BREAKDOWNS: dict[str, str] = {
    "traveller_category": "traveller_category",
    "purpose": "purpose",
    "stay_band": "stay_band",
    "residence": "country_of_residence",
    "transport_mode": "transport_mode",
    "decision": "decision",
}
Period = Literal["day", "month"]


@dataclass(frozen=True, slots=True)
class CellKey:
    """One key of a Summary table, typed: its parts in the order the table's dimensions name
    them (`Summary.dimensions` for cells, `group_dimensions` for totals; breakdowns and
    refusals are direction, value, then post and period as for groups). On the wire (JSON, the
    central report) a key stays the parts joined with KEY_SEP: `str(key)`, `CellKey.parse`."""

    parts: tuple[str, ...]

    @classmethod
    def parse(cls, key: str) -> CellKey:
        return cls(tuple(key.split(KEY_SEP)))

    def __str__(self) -> str:
        return KEY_SEP.join(self.parts)

    @property
    def direction(self) -> str:
        return self.parts[0]

    def named(self, dimensions: Sequence[str]) -> dict[str, str]:
        """{dimension: part}; ValueError when the key has another number of parts."""
        return dict(zip(dimensions, self.parts, strict=True))


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
    totals, undocumented, minors, unaccompanied_minors: keyed by the group key
      "<direction>[|<post>][|<period>]"; `group_dimensions` names its parts.
    breakdowns: breakdown name (BREAKDOWNS) -> "<direction>|<value>[|<post>][|<period>]" ->
      persons; `decision` also counts refusals (every person who presented), the others count
      crossings only.
    refusals: "<direction>|<refusal reason>[|<post>][|<period>]" -> persons refused.
    Keys are split with `KEY_SEP` ("|"), which no code value contains.
    """

    dimensions: tuple[str, ...]
    group_dimensions: tuple[str, ...]
    cells: dict[str, int]
    totals: dict[str, int]
    undocumented: dict[str, int]
    minors: dict[str, int]
    unaccompanied_minors: dict[str, int]
    breakdowns: dict[str, dict[str, int]]
    refusals: dict[str, int]
    persons: int
    entries: int
    exits: int
    net_migration: int
    refused: int
    sensitive: SensitiveSummary

    def marginal(self, dimension: str) -> dict[str, int]:
        """Persons by one dimension of `cells` (e.g. "sex"), summed over the others."""
        i = self.dimensions.index(dimension)
        out: Counter[str] = Counter()
        for key, n in self.cells.items():
            out[CellKey.parse(key).parts[i]] += n
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
    c = Counts()
    for rec, crossing_ms in resolution.effective:
        day = local_day(crossing_ms, utc_offset_minutes)
        if (since and day < since) or (until and day > until):
            continue
        if border_post is not None and rec["border_post"] != border_post:
            continue
        direction = str(rec["direction"])
        rest = ""
        if by_post:
            rest += KEY_SEP + str(rec["border_post"])
        if period:
            rest += KEY_SEP + period_label(day, period)
        gkey = direction + rest
        decision = str(rec.get("decision") or Decision.ADMITTED)
        c.breakdowns["decision"][direction + KEY_SEP + decision + rest] += 1
        c.count_sensitive(rec)
        if decision == Decision.REFUSED:
            c.refusals[direction + KEY_SEP + str(rec.get("refusal_reason") or UNKNOWN) + rest] += 1
            continue
        band, minor = age_fields(rec, crossing_ms)
        sex = sex_label(rec.get("sex"))
        nat = rec.get("nationality") or UNKNOWN
        c.cells[KEY_SEP.join((direction, sex, band or UNKNOWN, nat)) + rest] += 1
        c.totals[gkey] += 1
        if direction == Direction.ENTRY:
            c.entries += 1
        else:
            c.exits += 1
        if rec.get("capture_method") == CaptureMethod.NO_DOCUMENT:
            c.undocumented[gkey] += 1
        if minor is True:
            c.minors[gkey] += 1
            if is_unaccompanied(rec, minor):
                c.unaccompanied[gkey] += 1
        for name, fld in BREAKDOWNS.items():
            if name != "decision":
                value = rec.get(fld) or UNKNOWN
                c.breakdowns[name][direction + KEY_SEP + str(value) + rest] += 1
    return c.summary(by_post=by_post, period=period)


@dataclass
class Counts:
    """The counters a Summary is made of (filled by summarise() and by the SQL report)."""

    cells: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    undocumented: Counter[str] = field(default_factory=Counter)
    minors: Counter[str] = field(default_factory=Counter)
    unaccompanied: Counter[str] = field(default_factory=Counter)
    breakdowns: dict[str, Counter[str]] = field(
        default_factory=lambda: {name: Counter() for name in BREAKDOWNS}
    )
    refusals: Counter[str] = field(default_factory=Counter)
    indicators: Counter[str] = field(default_factory=Counter)
    referrals: Counter[str] = field(default_factory=Counter)
    entries: int = 0
    exits: int = 0
    flagged: int = 0

    def count_sensitive(self, rec: Mapping[str, Any]) -> None:
        tips = rec.get("tip_indicators") or ()
        for tip in set(tips):
            self.indicators[str(tip)] += 1
        if tips:
            self.flagged += 1
        referral = rec.get("tip_referral") or TipReferral.NONE
        if referral != TipReferral.NONE:
            self.referrals[str(referral)] += 1

    def summary(self, *, by_post: bool, period: Period | None) -> Summary:
        return make_summary(by_post=by_post, period=period, counts=self)


def _sorted(d: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(d.items()) if v}


def make_summary(*, by_post: bool, period: Period | None, counts: Counts) -> Summary:
    """Assemble a Summary from counts (shared by summarise() and the central SQL report, so
    both produce the same shape and ordering; zero counts are dropped)."""
    dims = list(CELL_DIMENSIONS)
    gdims = ["direction"]
    if by_post:
        dims.append("border_post")
        gdims.append("border_post")
    if period:
        dims.append(period)
        gdims.append(period)
    c = counts
    return Summary(
        dimensions=tuple(dims),
        group_dimensions=tuple(gdims),
        cells=_sorted(c.cells),
        totals=_sorted(c.totals),
        undocumented=_sorted(c.undocumented),
        minors=_sorted(c.minors),
        unaccompanied_minors=_sorted(c.unaccompanied),
        breakdowns={name: _sorted(c.breakdowns[name]) for name in BREAKDOWNS},
        refusals=_sorted(c.refusals),
        persons=c.entries + c.exits,
        entries=c.entries,
        exits=c.exits,
        net_migration=c.entries - c.exits,
        refused=sum(c.refusals.values()),
        sensitive=SensitiveSummary(
            indicators=_sorted(c.indicators),
            referrals=_sorted(c.referrals),
            persons_flagged=c.flagged,
        ),
    )
