"""Faces on the record (issue 21 item 4): when the booth asks for a photo, how large it may be,
and what goes into the record. No textual import (terminal/screens/photo.py is the screen).

A photo is asked for people without a document, minors and referrals; it needs the traveller's
consent, and a refusal is recorded (photo_consent = False) and never blocks the crossing. The
chip's DG2 face is kept as the document reference whenever a chip was read. Both travel only
in the record's sealed part (records/sealed_fields.py), never on the statistics path.

Size: every photo is a JPEG of at most records.schema.PHOTO_MAX_BYTES (12 KiB), and smaller when
the record would otherwise not fit [outbox] max_record_bytes once sealed (base64 inside the
sealed JSON, base64 again around the box: 16/9 of the JPEG's bytes on the wire).
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from records.codes import Decision, TipReferral
from records.record import CrossingRecord
from records.schema import PHOTO_MAX_BYTES

if TYPE_CHECKING:
    from terminal.booking import Case

log = logging.getLogger(__name__)
DEFAULT_RECORD_LIMIT = 16384  # [outbox] max_record_bytes' default
RECORD_ROOM = 4096  # the rest of a sealed record (a typical one is ~1.5 KB)
MIN_PHOTO_BYTES = 2048  # below this no face is recognisable: no photo rather than a smudge


@dataclass(frozen=True, slots=True)
class PhotoStep:
    """The officer's photo step: consent asked and answered, and the photo if one was kept."""

    consent: bool
    jpeg: bytes | None = field(default=None, repr=False)


def photo_reason(case: Case) -> str | None:
    """Why this traveller's photo is asked for ("no document", "minor", "referral"), or None.
    A correction asks nothing: the original record holds its photo."""
    if case.original is not None:
        return None
    if case.read is None:
        return "no document"
    if case.minor:
        return "minor"
    f = case.form
    if f.decision is Decision.REFERRED or f.tip_referral is not TipReferral.NONE:
        return "referral"
    return None


def chip_face(case: Case) -> bytes | None:
    """The face the chip gave (PNG/JPEG), if a chip was read for this case."""
    chip = case.read.chip if case.read is not None else None
    return chip.face_image if chip is not None else None


def photo_budget(record_limit: int, photos: int) -> int:
    """Largest JPEG (bytes) for each of `photos` photos in one record under `record_limit`."""
    room = max(0, record_limit - RECORD_ROOM) * 9 // 16 // max(1, photos)
    return min(PHOTO_MAX_BYTES, room)


def b64(jpeg: bytes | None) -> str | None:
    return base64.b64encode(jpeg).decode("ascii") if jpeg else None


def with_faces(record: CrossingRecord, case: Case, record_limit: int) -> CrossingRecord:
    """The record with its stated name, photo consent, booth photo and chip face.

    A chip face that cannot be kept (undecodable, too large for a tiny limit) is left out and
    the crossing saved anyway: the photo is a reference, not a condition."""
    step = case.photo
    face = chip_face(case)
    kept = None
    if face is not None and case.original is None:
        from drivers.photo import PhotoUnavailable, face_jpeg

        photos = 2 if step is not None and step.jpeg else 1
        budget = photo_budget(record_limit, photos)
        try:
            kept = face_jpeg(face, budget) if budget >= MIN_PHOTO_BYTES else None
        except (PhotoUnavailable, ImportError) as err:
            log.info("chip face not kept: %s", err.__class__.__name__)
    person = case.person
    return dataclasses.replace(
        record,
        stated_name=(person.stated_name or None) if person is not None else None,
        photo_consent=step.consent if step is not None else None,
        photo_jpeg=b64(step.jpeg) if step is not None else None,
        document_face_jpeg=b64(kept),
    )


PHOTO_FIELDS = ("photo_jpeg", "document_face_jpeg")


def stats_view(record: CrossingRecord) -> dict[str, Any]:
    """The record's wire dict without its photos: what records.stats may see."""
    return {k: (None if k in PHOTO_FIELDS else v) for k, v in record.to_dict().items()}


def booth_photo_budget(case: Case, record_limit: int) -> int:
    """The bound for the booth camera's photo of this case (room left for a chip face too)."""
    return photo_budget(record_limit, 2 if chip_face(case) is not None else 1)
