"""`imdms trace --photos DIR`: the photos of the crossings a trace shows, written as JPEG files
(0600, in a 0700 folder) named <record id>-<kind>.jpg, and the export audited as its own view
of personal data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from central.db import Database
from central.photos import photos_of
from central.trace.audit import record_access
from imdms.errors import ImdmsError


def export_photos(db: Database, people: list[Any], folder: Path, *, operator: str,
                  reason: str) -> list[Path]:
    """Write every photo of the traced crossings into `folder`; returns the files written.
    Raises ImdmsError when the folder cannot be written."""
    ids: list[str] = []
    for person in people:
        for c in person.crossings:
            ids += [rid for rid in dict.fromkeys((c.root_id, c.record_id)) if rid not in ids]
    photos = photos_of(db, ids)
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for photo in photos:
            path = folder / f"{photo.record_id}-{photo.kind}.jpg"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(photo.jpeg)
            written.append(path)
    except OSError as err:
        raise ImdmsError(f"cannot write the photos to {folder}: {err.strerror}",
                         "give a folder you may write, on an encrypted disk") from err
    record_access(db, operator=operator, reason=reason, action="trace_photos",
                  params={"records": len(ids)}, result_count=len(written))
    db.commit()
    return written
