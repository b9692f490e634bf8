"""The photos a console trace shows: read from central.photos for the traced crossings,
handed to the page inline (data: URIs in the no-store response itself, so no photo has a URL
of its own that a browser, proxy or log could keep), and audited as their own view."""

from __future__ import annotations

import base64
from typing import Any

from central.db import Database
from central.photos import photos_of
from central.trace.audit import record_access

KIND_LABEL = {"booth": "booth camera", "document": "document chip"}


def photo_uris(db: Database, people: list[Any], *, operator: str,
               reason: str) -> dict[str, list[tuple[str, str]]]:
    """{record id shown in the trace: [(label, data URI)]}; one audit row when any is shown
    (the caller commits). A photo belongs to the original record: an amendment shows it too."""
    wanted: dict[str, list[str]] = {}
    for person in people:
        for c in person.crossings:
            for rid in dict.fromkeys((c.root_id, c.record_id)):
                wanted.setdefault(rid, []).append(c.record_id)
    photos = photos_of(db, list(wanted))
    out: dict[str, list[tuple[str, str]]] = {}
    for photo in photos:
        uri = "data:image/jpeg;base64," + base64.b64encode(photo.jpeg).decode()
        for shown in wanted[photo.record_id]:
            out.setdefault(shown, []).append((KIND_LABEL.get(photo.kind, photo.kind), uri))
    if photos:
        record_access(db, operator=operator, reason=reason, action="console_trace_photos",
                      params={"records": len(wanted)}, result_count=len(photos))
    return out
