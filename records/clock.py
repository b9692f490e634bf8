"""Time as records carry it: UTC, ISO 8601 with a `Z`, milliseconds (one formatter for all).

Booth, forwarder, collector and tracing all write and read this form; sorting the strings sorts
the moments, which the central queries rely on.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current moment, timezone-aware UTC (the booth's injectable clock defaults to this)."""
    return datetime.now(UTC)


def iso_z(moment: datetime, timespec: str = "milliseconds") -> str:
    """`2026-12-03T13:05:01.234Z` for an aware `moment` (a naive one is taken as local time)."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def utc_now_iso() -> str:
    """The current moment as iso_z()."""
    return iso_z(utc_now())


def ms_to_iso(ms: int) -> str:
    """Milliseconds since the epoch (UTC) as iso_z()."""
    dt = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=(ms % 1000) * 1000)
    return iso_z(dt)


def ts_to_iso(ts: float, timespec: str = "seconds") -> str:
    """Seconds since the epoch (time.time()) as iso_z(), seconds precision by default."""
    return iso_z(datetime.fromtimestamp(ts, UTC), timespec)


def parse_iso(text: str) -> datetime:
    """The inverse of iso_z() (accepts a `Z` or an offset); raises ValueError when malformed."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
