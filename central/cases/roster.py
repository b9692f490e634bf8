"""Who is on duty for a unit at a time, from the central config's [cases.roster].

A shift starts on one of its `days` at `start` (local time, cases.utc_offset_minutes) and ends
at `end`; an end before the start runs past midnight into the next day. When no shift of the
unit covers the time, every address of the unit is told: a referral must reach someone, and an
off-duty inbox is read sooner than no message at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from config.models import WEEKDAYS, CasesConfig, ShiftConfig

Target = tuple[str, str]  # (channel, address): ("email", "duty@...") | ("hook", "https://...")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def covers(shift: ShiftConfig, local: datetime) -> bool:
    """Does the shift cover this local time?"""
    day = WEEKDAYS[local.weekday()]
    before = WEEKDAYS[(local.weekday() - 1) % 7]
    now = local.hour * 60 + local.minute
    start, end = _minutes(shift.start), _minutes(shift.end)
    if start <= end:
        return day in shift.days and start <= now < end
    return (day in shift.days and now >= start) or (before in shift.days and now < end)


def _targets(shifts: list[ShiftConfig]) -> list[Target]:
    out: list[Target] = []
    for shift in shifts:
        out += [("email", a) for a in shift.email]
        if shift.hook:
            out.append(("hook", shift.hook))
    return list(dict.fromkeys(out))  # one notice per target, in roster order


def on_duty(config: CasesConfig, unit: str, at_ms: int) -> list[Target]:
    """Targets to notify about a case of `unit` opened at `at_ms` (epoch ms); empty when the
    roster names nobody for the unit."""
    shifts = (config.roster or {}).get(unit, [])
    local = datetime.fromtimestamp(at_ms / 1000, UTC) + timedelta(
        minutes=config.utc_offset_minutes
    )
    found = _targets([s for s in shifts if covers(s, local)])
    return found or _targets(shifts)
