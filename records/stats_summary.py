"""The shape of migration statistics: `Summary` (general tables) with its `SensitiveSummary`,
the `Counts` both summarise() and the central SQL report fill, and `make_summary`, which
turns counts into a Summary with one shape and ordering. Rules: records/stats.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from records.codes import TipReferral

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
    "category_source": "category_proposed",  # valued by stats_resolve.category_source
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
