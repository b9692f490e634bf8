"""`imdms purge`: delete what [retention] no longer allows, in one transaction, audited.

Order: refresh the trace index (the overstay rule reads its flags), take the ingest and chain
locks (a collector must not add an amendment to a crossing being deleted), delete the expired
crossings with their derived rows, the photos older than photos_days or of a deleted crossing,
and the rejected messages older than crossings_days, append
one purge row (counts and cut-offs only, no personal data), then delete the audit log's
expired prefix. The purge row covers that prefix (`covers_seq`, the last purged row's hash in
detail), which is what lets the guards allow the delete and `imdms audit verify` anchor the
chain on what remains. A dry run counts the same and changes nothing (and is not audited).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from central.audit.chain import Entry, append, lock
from central.audit.schema import ensure_schema as ensure_audit_schema
from central.db import Database
from central.photos import delete_photos, expired_photos
from central.retention.crossings import delete_crossings, expired_roots
from central.retention.policy import Cutoffs, cutoffs
from central.trace.index import refresh
from config.models import RetentionConfig
from records.clock import iso_z, ms_to_iso

log = logging.getLogger(__name__)


@dataclass
class PurgeResult:
    """What was (or, in a dry run, would be) deleted: counts by kind and by table."""

    dry_run: bool
    cutoffs: dict[str, str]
    kinds: dict[str, int]  # crossings, cases, photos, audit, rejected; kept_* for the rules
    tables: dict[str, int] = field(default_factory=dict)
    audit_seq: int | None = None  # the purge row (None for a dry run)

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "cutoffs": self.cutoffs, "kinds": self.kinds,
                "tables": self.tables, "audit_seq": self.audit_seq}


def _audit_prefix(db: Database, cut: Cutoffs) -> tuple[int, str, str] | None:
    """(seq, hash, at) of the last row of the expired prefix: every row up to it is older than
    audit_days (rows are appended in time order; a row out of order ends the prefix)."""
    first_young = db.query("SELECT MIN(seq) FROM audit_log WHERE at >= ?", (cut.audit_at,))
    limit = first_young[0][0]
    sql = "SELECT seq, hash, at FROM audit_log"
    rows = (db.query(sql + " WHERE seq < ? ORDER BY seq DESC LIMIT 1", (int(limit),))
            if limit is not None else db.query(sql + " ORDER BY seq DESC LIMIT 1"))
    if not rows:
        return None
    return int(rows[0][0]), str(rows[0][1]), str(rows[0][2])


def _lock_all(db: Database) -> None:
    if db.postgres:
        db.lock_for_ingest()
    else:
        db.commit()
        db.execute("BEGIN IMMEDIATE")  # the write lock before the first read
    lock(db)


def purge(
    db: Database,
    config: RetentionConfig,
    *,
    now: datetime,
    operator: str = "imdms-purge",
    dry_run: bool = False,
) -> PurgeResult:
    """Delete the expired rows as of `now` (the injected clock) and commit; a dry run rolls
    back. Database errors propagate (the caller reports them); nothing is half-deleted."""
    ensure_audit_schema(db)
    refresh(db)
    cut = cutoffs(config, now)
    _lock_all(db)
    expired = expired_roots(db, cut)
    rejected = int(db.query("SELECT COUNT(*) FROM rejected WHERE received_at < ?",
                            (ms_to_iso(cut.crossings_ms),))[0][0])
    prefix = _audit_prefix(db, cut)
    kinds = {
        "crossings": len(expired.crossings),
        "cases": len(expired.cases),
        "photos": expired_photos(db, cut.photos_ms, expired.roots),
        "audit": prefix[0] - _first_seq(db) + 1 if prefix else 0,
        "rejected": rejected,
        "kept_overstay": expired.overstay_kept,
        "kept_cases": expired.cases_kept,
    }
    result = PurgeResult(dry_run, cut.to_dict(), kinds)
    if dry_run:
        db.rollback()
        return result
    photos = delete_photos(db, cut.photos_ms, expired.roots)  # first: they name the records
    result.tables = {**delete_crossings(db, expired.roots), "photos": photos}
    db.execute("DELETE FROM rejected WHERE received_at < ?", (ms_to_iso(cut.crossings_ms),))
    detail: dict[str, Any] = {"kinds": kinds, "tables": result.tables, "cutoffs": cut.to_dict()}
    if prefix:
        detail.update(through_seq=prefix[0], through_hash=prefix[1], through_at=prefix[2])
    result.audit_seq = append(
        db,
        Entry("central", "purge", operator=operator, reason="retention", detail=detail,
              covers_seq=prefix[0] if prefix else None),
        at=iso_z(now),
    )
    if prefix:
        db.execute("DELETE FROM audit_log WHERE seq <= ?", (prefix[0],))
    db.commit()
    log.info("purge: %s", ", ".join(f"{k} {v}" for k, v in kinds.items()))
    return result


def _first_seq(db: Database) -> int:
    rows = db.query("SELECT MIN(seq) FROM audit_log")
    return int(rows[0][0]) if rows and rows[0][0] is not None else 1
