"""Photos travel sealed (the outbox's bytes and the wire hold none), fit the record limit,
open at the centre into their own table, and never reach the payloads the statistics read."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from central.db import Database
from central.photos import photo_kinds, photos_of
from messaging.outbox import Outbox
from messaging.seal import Opener, Sealer, new_key_pair
from records.record import CrossingRecord
from records.schema import validate_record
from records.stats import summarise
from terminal.photo import DEFAULT_RECORD_LIMIT, photo_budget
from tests.faces.helpers import jpeg, undocumented, with_photos
from tests.messaging.records import make_record


def test_a_record_with_both_photos_is_crossing_v1_and_crossing_v2_when_sealed() -> None:
    each = photo_budget(DEFAULT_RECORD_LIMIT, 2)
    record = with_photos(make_record(), jpeg(each), jpeg(each))
    validate_record(record.to_dict())
    private, public = new_key_pair()
    sealed = Sealer.from_pem(public).seal_record(record.to_dict())
    from records.schema_v2 import validate_sealed

    validate_sealed(sealed)
    assert "photo_jpeg" not in sealed and "photo_consent" not in sealed
    opened = Opener.from_pem(private).open_record(sealed)
    assert opened["photo_jpeg"] == record.photo_jpeg
    assert opened["document_face_jpeg"] == record.document_face_jpeg
    assert record.photo_jpeg is not None and record.photo_jpeg[:40] not in repr(record)


def test_the_outbox_holds_the_photos_sealed_within_max_record_bytes(tmp_path: Path) -> None:
    private, public = new_key_pair()
    each = photo_budget(DEFAULT_RECORD_LIMIT, 2)
    photo, face = jpeg(each), jpeg(each)
    record = with_photos(make_record(), photo, face)
    box = Outbox(tmp_path / "outbox.sqlite3", sealer=Sealer.from_pem(public))
    try:
        box.add(record)  # raises OutboxError above max_record_bytes (16384)
        ((_, stored),) = list(box.iter_all())
    finally:
        box.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (photo, face):
        assert base64.b64encode(secret)[:40] not in raw and secret[200:240] not in raw
    opened = Opener.from_pem(private).open_record(stored)
    assert base64.b64decode(opened["photo_jpeg"]) == photo
    assert opened["photo_consent"] is True


def test_the_centre_keeps_photos_off_the_payload_and_the_statistics(tmp_path: Path) -> None:
    photo = jpeg()
    data = undocumented(photo=photo)
    db = Database(str(tmp_path / "central.sqlite3"))
    try:
        assert db.ingest(json.dumps(data).encode()).outcome == "stored"
        assert db.ingest(json.dumps(data).encode()).outcome == "duplicate"
        db.commit()
        (payload,) = [r[0] for r in db.query("SELECT payload FROM records")]
        assert photo_b64_absent(payload, data["photo_jpeg"])
        stored = list(db.iter_records())
        assert all(r["photo_jpeg"] is None and r["document_face_jpeg"] is None for r in stored)
        assert stored[0]["photo_consent"] is True and stored[0]["stated_name"] == "Mpho Letsie"
        summarise(stored)  # the statistics see the record, never the photo
        assert photo_kinds(db, data["record_id"]) == ["booth"]
        (kept,) = photos_of(db, [data["record_id"]])
        assert kept.jpeg == photo and kept.kind == "booth"
        assert CrossingRecord.from_dict(stored[0]).photo_jpeg is None
    finally:
        db.close()


def photo_b64_absent(payload: str, b64: str) -> bool:
    return b64[:64] not in payload
