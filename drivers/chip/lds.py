"""LDS parsing: EF.COM, DG1 (MRZ) and DG2 (face image), Doc 9303-10.

DG2's biometric data block is an ISO/IEC 19794-5 facial record; the image inside it is JPEG or
JPEG 2000 and is decoded with Pillow to PNG so the terminal can show it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from drivers.chip.errors import CardProtocolError
from drivers.chip.tlv import find, iter_tlv, unwrap

DG_TAGS = {
    0x61: "DG1",
    0x75: "DG2",
    0x63: "DG3",
    0x76: "DG4",
    0x65: "DG5",
    0x66: "DG6",
    0x67: "DG7",
    0x68: "DG8",
    0x69: "DG9",
    0x6A: "DG10",
    0x6B: "DG11",
    0x6C: "DG12",
    0x6D: "DG13",
    0x6E: "DG14",
    0x6F: "DG15",
    0x70: "DG16",
    0x77: "SOD",
}
JPEG_SOI = b"\xff\xd8\xff"
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_CODESTREAM = b"\xff\x4f\xff\x51"


@dataclass(frozen=True, slots=True)
class EfCom:
    lds_version: str
    unicode_version: str
    data_groups: tuple[str, ...]


def parse_com(data: bytes) -> EfCom:
    body = unwrap(data, 0x60)
    lds = find(body, 0x5F01) or b""
    uni = find(body, 0x5F36) or b""
    tags = find(body, 0x5C) or b""
    groups = tuple(DG_TAGS.get(t, f"{t:02X}") for t in tags)
    return EfCom(lds.decode("ascii", "replace"), uni.decode("ascii", "replace"), groups)


def parse_dg1(data: bytes) -> tuple[str, ...]:
    """The MRZ lines stored in DG1 (TD1 3x30, TD2 2x36, TD3 2x44)."""
    mrz = find(unwrap(data, 0x61), 0x5F1F)
    if mrz is None:
        raise CardProtocolError("DG1 holds no MRZ")
    text = mrz.decode("ascii", "replace")
    width = {90: 30, 72: 36, 88: 44}.get(len(text))
    if width is None:
        raise CardProtocolError(f"DG1 MRZ has an unexpected length ({len(text)})")
    return tuple(text[i : i + width] for i in range(0, len(text), width))


@dataclass(frozen=True, slots=True)
class FaceImage:
    mime: str  # "image/jpeg" | "image/jp2"
    data: bytes
    width: int | None = None
    height: int | None = None


def _image_from_facial_record(record: bytes) -> FaceImage:
    """ISO/IEC 19794-5 'FAC' record -> first image. Falls back to scanning for a signature."""
    if record[:4] == b"FAC\x00" and len(record) > 14 + 20:
        pos = 14  # format id, version, record length (4), face count (2)
        block_len = int.from_bytes(record[pos : pos + 4], "big")
        landmarks = int.from_bytes(record[pos + 4 : pos + 6], "big")
        img_info = pos + 20 + 8 * landmarks
        if img_info + 12 <= len(record) and block_len <= len(record) - pos:
            kind = record[img_info + 1]
            width = int.from_bytes(record[img_info + 2 : img_info + 4], "big")
            height = int.from_bytes(record[img_info + 4 : img_info + 6], "big")
            data = record[img_info + 12 : pos + block_len]
            mime = "image/jp2" if kind == 1 else "image/jpeg"
            if data:
                return FaceImage(mime, data, width, height)
    for sig, mime in (
        (JPEG_SOI, "image/jpeg"),
        (JP2_SIGNATURE, "image/jp2"),
        (J2K_CODESTREAM, "image/jp2"),
    ):
        at = record.find(sig)
        if at >= 0:
            return FaceImage(mime, record[at:])
    raise CardProtocolError("DG2 holds no JPEG or JPEG 2000 image")


def parse_dg2(data: bytes) -> FaceImage:
    """The first face image of DG2 (7F61 biometric information group template)."""
    group = find(unwrap(data, 0x75), 0x7F61)
    if group is None:
        raise CardProtocolError("DG2 holds no biometric information group")
    for tag, value in iter_tlv(group):
        if tag == 0x7F60:
            block = find(value, 0x5F2E) or find(value, 0x7F2E)
            if block is not None:
                return _image_from_facial_record(block)
    raise CardProtocolError("DG2 holds no biometric data block")


def to_png(image: FaceImage) -> bytes:
    """Decode JPEG/JPEG 2000 with Pillow; PNG bytes. Raises CardProtocolError if undecodable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image.data)) as im:
            im.load()
            out = io.BytesIO()
            im.convert("RGB" if im.mode not in ("L", "RGB") else im.mode).save(
                out, "PNG", compress_level=1
            )
    except (OSError, UnidentifiedImageError, ValueError) as err:
        raise CardProtocolError("the face image in DG2 could not be decoded") from err
    return out.getvalue()
