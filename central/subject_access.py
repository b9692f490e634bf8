"""Data subject access: one person's records, for a lawful request, audited.

The person is found by document through the trace index (refreshed first): every crossing
whose current version carries the document number (upper case, fillers dropped, as the MRZ
holds it), narrowed by issuer and date of birth when given. Every version of those crossings
is exported as the centre holds it: opened on arrival (central/unseal.py), so the file holds
names, numbers and notes: it is written 0600, and the request is a row of the audit log
(operator, reason, the document asked for, how many records), committed only once the file
is written. The crossings' photos (booth camera, document chip: central/photos.py, kept apart
from the payloads) are in the export too, base64, and counted in the audit row. Crossings of
the same person under another document are not included: fuzzy
links may join two people, and an export must not disclose a stranger's data.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from central.audit.chain import record_view
from central.db import Database
from central.photos import photos_of
from central.trace.index import refresh
from central.trace.names import doc_number
from imdms.errors import ImdmsError
from records.clock import ms_to_iso, utc_now_iso

FORMAT = "imdms-subject-access-v1"


def find_records(
    db: Database, doc: str, issuer: str | None = None, dob: str | None = None
) -> list[dict[str, Any]]:
    """Every stored version of the person's crossings, in crossing order (oldest first)."""
    number = doc_number(doc)
    if not number:
        raise ImdmsError("--doc is empty", "give the document number as printed or in the MRZ")
    refresh(db)
    sql = "SELECT root_id FROM trace_entries WHERE doc_number = ?"
    params: list[Any] = [number]
    if issuer:
        sql += " AND issuer = ?"
        params.append(issuer.upper())
    if dob:
        sql += " AND dob = ?"
        params.append(dob)
    roots = sorted({str(r[0]) for r in db.query(sql, params)})
    out: list[dict[str, Any]] = []
    for root in roots:
        for rid, received, ms, corrected, current, payload in db.query(
            "SELECT record_id, received_at, recorded_ms, time_corrected, is_current, payload"
            " FROM records WHERE root_id = ? ORDER BY recorded_ms, record_id",
            (root,),
        ):
            out.append({
                "crossing_id": root,
                "record_id": str(rid),
                "received_at": str(received),
                "time": ms_to_iso(int(ms)),
                "time_corrected": bool(corrected),
                "current": bool(current),
                "record": json.loads(payload),
            })
    out.sort(key=lambda r: (r["time"], r["record_id"]))
    return out


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, mode 0600 from the first byte (also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            fd = -1
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    finally:
        if fd >= 0:
            os.close(fd)


def export(
    db: Database,
    *,
    doc: str,
    issuer: str | None,
    dob: str | None,
    operator: str,
    reason: str,
    out: Path,
    at: str | None = None,
) -> int:
    """Write the person's records to `out` (JSON, 0600) and audit the request. Returns the
    number of records. Raises ImdmsError (nothing audited, no file left) when writing fails."""
    at = at or utc_now_iso()
    records = find_records(db, doc, issuer, dob)
    photos = [{"record_id": p.record_id, "kind": p.kind,
               "jpeg_base64": base64.b64encode(p.jpeg).decode()}
              for p in photos_of(db, list(dict.fromkeys(r["record_id"] for r in records)))]
    asked = {"doc": doc, "issuer": issuer, "dob": dob, "out": str(out), "photos": len(photos)}
    seq = record_view(db, operator=operator, reason=reason, action="subject-access",
                      params=asked, result_count=len(records), at=at)
    document = {
        "format": FORMAT,
        "request": {"document_number": doc, "issuer": issuer, "date_of_birth": dob,
                    "operator": operator, "reason": reason, "made_at": at, "audit_seq": seq},
        "records": records,
        "photos": photos,
    }
    try:
        _write_private(out, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    except OSError as err:
        db.rollback()
        raise ImdmsError(
            f"cannot write {out}: {err.strerror}",
            "choose a directory you may write (on an encrypted disk), e.g. --out ~/request.json",
        ) from err
    try:
        db.commit()
    except Exception:
        out.unlink(missing_ok=True)  # not audited: not disclosed
        raise
    return len(records)
