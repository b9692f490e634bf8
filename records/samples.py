"""Synthetic crossings for the console demo and the tests: one maker of wire dicts.

Shared by console/demo.py (`imdms console --demo`) and the statistics tests
(tests/collector/records.py), which each draw their own values; nothing here is random, so each
caller's figures depend only on its own seed. Only invented data: no real person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from records.clock import iso_z
from records.codes import CaptureMethod, Direction, DocumentType
from records.record import CrossingRecord

POSTS = ("MSU-BRIDGE", "MAPUTSOE", "QACHAS-NEK")  # the sample border posts


def sample_crossing(
    *,
    terminal: str,
    post: str,
    officer: str,
    direction: Direction,
    at: datetime,
    undocumented: bool = False,
    **fields: Any,
) -> dict[str, Any]:
    """One crossing recorded at `at` (aware) as its wire dict, derived fields filled.

    `undocumented` is a traveller with no document (capture NO_DOCUMENT, document type NONE),
    otherwise a passport read by the MRZ reader. `fields` are further CrossingRecord fields,
    passed as given (TypeError for a name the record has not).
    """
    rec = CrossingRecord(
        terminal_id=terminal,
        border_post=post,
        officer_id=officer,
        direction=direction,
        capture_method=CaptureMethod.NO_DOCUMENT if undocumented else CaptureMethod.MRZ_READER,
        document_type=DocumentType.NONE if undocumented else DocumentType.PASSPORT,
        recorded_at=iso_z(at),
        **fields,
    ).with_derived()
    return rec.to_dict()
