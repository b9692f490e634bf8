"""Encoders for the simulator's files: EF.COM, DG1, DG2 (ISO 19794-5 JPEG), EF.CardAccess."""

from __future__ import annotations

import io
from collections.abc import Sequence

from drivers.chip.pace import ID_PACE, encode_oid
from drivers.chip.tlv import tlv


def ef_com(groups: Sequence[int] = (0x61, 0x75)) -> bytes:
    return tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") + tlv(0x5C, bytes(groups)))


def dg1(lines: Sequence[str]) -> bytes:
    return tlv(0x61, tlv(0x5F1F, "".join(lines).encode("ascii")))


def face_jpeg(target_bytes: int = 17_000) -> tuple[bytes, int, int]:
    """A synthetic JPEG of at most about `target_bytes` (noise over a gradient; no real face)."""
    from PIL import Image

    width, height = 240, 320
    noise = Image.effect_noise((width, height), 32)
    grad = Image.linear_gradient("L").resize((width, height))
    img = Image.merge("RGB", (Image.blend(grad, noise, 0.5), noise, grad))
    lo, hi, best = 5, 95, b""
    while lo <= hi:  # largest quality that fits the target
        quality = (lo + hi) // 2
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality)
        if len(out.getvalue()) <= target_bytes or not best:
            best = out.getvalue()
        if len(out.getvalue()) <= target_bytes:
            lo = quality + 1
        else:
            hi = quality - 1
    return best, width, height


def facial_record(image: bytes, width: int, height: int, jpeg2000: bool = False) -> bytes:
    image_info = (
        bytes([1, 1 if jpeg2000 else 0])
        + width.to_bytes(2, "big")
        + height.to_bytes(2, "big")
        + bytes([1, 2])
        + bytes(2)
        + bytes(2)
    )
    face_info = bytes(2) + bytes([0, 0, 0]) + bytes(3) + bytes(2) + bytes(3) + bytes(3)
    block = face_info + image_info + image
    block = (4 + len(block)).to_bytes(4, "big") + block
    record = b"FAC\x00010\x00" + (14 + len(block)).to_bytes(4, "big") + b"\x00\x01" + block
    return record


def dg2(image: bytes, width: int, height: int, jpeg2000: bool = False) -> bytes:
    header = tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01") + tlv(0x88, b"\x00\x08"))
    bit = tlv(0x7F60, header + tlv(0x5F2E, facial_record(image, width, height, jpeg2000)))
    return tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bit))


def card_access(
    cipher: str = "AES", parameter_id: int = 13, more: Sequence[tuple[str, int]] = ()
) -> bytes:
    """EF.CardAccess listing PACE-ECDH with (cipher, parameter id), plus `more` entries;
    cipher "AES" / "3DES" (ECDH generic mapping), "CAM" (chip authentication mapping, AES),
    "DH-AES" / "DH-3DES" (DH generic mapping; parameter id 0)."""
    body = b""
    for c, pid in [(cipher, parameter_id), *more]:
        oid = (
            ID_PACE
            + {
                "AES": ".2.2",
                "3DES": ".2.1",
                "CAM": ".6.2",
                "DH-AES": ".1.2",
                "DH-3DES": ".1.1",
            }[c]
        )
        body += tlv(0x30, tlv(0x06, encode_oid(oid)) + tlv(0x02, b"\x02") + tlv(0x02, bytes([pid])))
    return tlv(0x31, body)
