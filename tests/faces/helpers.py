"""What the face tests share: real JPEGs from the simulated camera, records carrying them."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from drivers.photo import SimulatedPhotoCamera
from records.codes import CaptureMethod, Sex
from records.record import CrossingRecord
from tests.trace.people import crossing

PHOTO_LIMIT = 12_288


def jpeg(max_bytes: int = PHOTO_LIMIT) -> bytes:
    return SimulatedPhotoCamera().take(max_bytes)


def undocumented(name: str = "Mpho Letsie", *, photo: bytes | None = None,
                 **kw: Any) -> dict[str, Any]:
    """A crossing without a document: stated name, estimated age, consent and photo."""
    data = crossing(surname=None, given=None, dob=None, doc=None, age=30, sex=Sex.MALE,
                    nationality="XXX", **kw)
    data.update(stated_name=name, photo_consent=photo is not None,
                photo_jpeg=base64.b64encode(photo).decode() if photo else None)
    assert data["capture_method"] == CaptureMethod.NO_DOCUMENT
    return data


def with_photos(record: CrossingRecord, photo: bytes, face: bytes) -> CrossingRecord:
    return dataclasses.replace(record, photo_consent=True,
                               photo_jpeg=base64.b64encode(photo).decode(),
                               document_face_jpeg=base64.b64encode(face).decode())
