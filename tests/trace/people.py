"""Synthetic travellers for the trace tests (invented names and numbers, no real person)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from central.db import Database
from records.codes import CaptureMethod, Direction, DocumentType, Relationship, Sex
from records.record import CrossingRecord, new_record_id

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def crossing(
    *,
    surname: str | None = "MOKOENA",
    given: str | None = "LERATO",
    dob: str | None = "1990-05-17",
    sex: Sex = Sex.FEMALE,
    nationality: str | None = "ZAF",
    doc: str | None = "ZAF:A01234567",
    direction: Direction = Direction.ENTRY,
    post: str = "MSU-BRIDGE",
    terminal: str = "t-msu",
    at: datetime = T0,
    days: float = 0,
    clock_synced: bool = True,
    boot: str = "boot-1",
    monotonic_ns: int = 1,
    age: int | None = None,
    group: str | None = None,
    adult: str | None = None,
    stay: int | None = None,
    record_id: str | None = None,
) -> dict[str, Any]:
    """One crossing's wire dict; doc "ISSUER:NUMBER" or None (no document)."""
    issuer, number = doc.split(":") if doc else (None, None)
    rec = CrossingRecord(
        terminal_id=terminal,
        border_post=post,
        officer_id="officer-7",
        direction=direction,
        capture_method=CaptureMethod.MRZ_READER if doc else CaptureMethod.NO_DOCUMENT,
        document_type=DocumentType.PASSPORT if doc else DocumentType.NONE,
        document_number=number,
        issuing_state=issuer,
        record_id=record_id or new_record_id(),
        recorded_at=iso(at + timedelta(days=days)),
        clock_synced=clock_synced,
        boot_id=boot,
        monotonic_ns=monotonic_ns,
        surname=surname,
        given_names=given,
        nationality=nationality,
        sex=sex,
        date_of_birth=dob,
        age_estimated=dob is None and age is not None,
        age_at_crossing=age,
        group_id=group,
        accompanying_adult_ref=adult,
        relationship_to_adult=Relationship.PARENT if adult else None,
        intended_stay_days=stay,
    ).with_derived()
    return rec.to_dict()


def ingest(db: Database, *records: dict[str, Any]) -> None:
    """Through the collector's own entry point (schema, clock correction, winner)."""
    for r in records:
        got = db.ingest(json.dumps(r).encode())
        assert got.outcome == "stored", got
    db.commit()
