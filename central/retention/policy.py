"""The cut-off moments of [retention] at a given now: a row older than its kind's is expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from config.models import RetentionConfig
from records.clock import iso_z


@dataclass(frozen=True)
class Cutoffs:
    """Milliseconds since the epoch (crossing times), and ISO text for the audit log's `at`."""

    now_ms: int
    crossings_ms: int
    overstay_ms: int
    cases_ms: int
    photos_ms: int
    audit_at: str

    def to_dict(self) -> dict[str, str]:
        from records.clock import ms_to_iso

        return {
            "crossings_before": ms_to_iso(self.crossings_ms),
            "overstay_before": ms_to_iso(self.overstay_ms),
            "cases_before": ms_to_iso(self.cases_ms),
            "photos_before": ms_to_iso(self.photos_ms),
            "audit_before": self.audit_at,
        }


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def cutoffs(config: RetentionConfig, now: datetime) -> Cutoffs:
    """The cut-offs `config`'s days before `now` (an aware datetime: the injected clock)."""

    def before(days: int) -> datetime:
        return now - timedelta(days=days)

    return Cutoffs(
        now_ms=_ms(now),
        crossings_ms=_ms(before(config.crossings_days)),
        overstay_ms=_ms(before(config.overstay_days)),
        cases_ms=_ms(before(config.cases_days)),
        photos_ms=_ms(before(config.photos_days)),
        audit_at=iso_z(before(config.audit_days)),
    )
