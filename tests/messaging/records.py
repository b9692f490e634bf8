"""Synthetic crossing records for messaging tests (no specimen names)."""

from __future__ import annotations

from records.codes import CaptureMethod, Direction, DocumentType, Sex
from records.record import CrossingRecord


def make_record(terminal_id: str = "t1", notes: str | None = None, **kw: object) -> CrossingRecord:
    base: dict[str, object] = dict(
        terminal_id=terminal_id,
        border_post="MSU-BRIDGE",
        officer_id="off7",
        direction=Direction.ENTRY,
        capture_method=CaptureMethod.MRZ_READER,
        document_type=DocumentType.PASSPORT,
        document_number="QX1234567",
        nationality="LSO",
        issuing_state="LSO",
        sex=Sex.FEMALE,
        date_of_birth="1990-03-04",
        surname="TESTPERSON",
        given_names="ALPHA",
        notes=notes,
    )
    base.update(kw)
    return CrossingRecord(**base).with_derived()  # type: ignore[arg-type]
