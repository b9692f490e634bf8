"""Minimal BER-TLV for the LDS, secure messaging and PACE (tags up to 3 bytes, definite lengths)."""

from __future__ import annotations

from collections.abc import Iterator

from drivers.chip.errors import CardProtocolError


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return bytes([0x81, n])
    if n <= 0xFFFF:
        return bytes([0x82, n >> 8, n & 0xFF])
    return bytes([0x83, n >> 16, (n >> 8) & 0xFF, n & 0xFF])


def tlv(tag: int, value: bytes) -> bytes:
    """Encode one TLV; `tag` is the tag's bytes as an int (0x5F1F, 0x7F61, 0x87...)."""
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    return tag_bytes + encode_length(len(value)) + value


def read_header(data: bytes, pos: int = 0) -> tuple[int, int, int]:
    """(tag, length, offset of value) of the TLV at `pos`. Raises CardProtocolError."""
    try:
        start = pos
        first = data[pos]
        pos += 1
        if first & 0x1F == 0x1F:
            while data[pos] & 0x80:
                pos += 1
            pos += 1
        tag = int.from_bytes(data[start:pos], "big")
        length = data[pos]
        pos += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or pos + count > len(data):
                raise CardProtocolError("malformed length in chip data")
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
    except IndexError as err:
        raise CardProtocolError("truncated chip data") from err
    return tag, length, pos


def total_length(header: bytes) -> int | None:
    """Total bytes of the TLV starting `header`, or None when `header` is too short to tell."""
    try:
        _tag, length, offset = read_header(header)
    except CardProtocolError:
        if len(header) >= 6:
            raise
        return None
    return offset + length


def iter_tlv(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Top-level (tag, value) pairs of `data`."""
    pos = 0
    while pos < len(data):
        if data[pos] in (0x00, 0xFF):  # padding between objects
            pos += 1
            continue
        tag, length, offset = read_header(data, pos)
        end = offset + length
        if end > len(data):
            raise CardProtocolError("truncated chip data")
        yield tag, data[offset:end]
        pos = end


def find(data: bytes, tag: int) -> bytes | None:
    for t, value in iter_tlv(data):
        if t == tag:
            return value
    return None


def unwrap(data: bytes, tag: int) -> bytes:
    """Value of the single outer TLV `tag`; CardProtocolError otherwise."""
    t, length, offset = read_header(data)
    if t != tag or offset + length > len(data):
        raise CardProtocolError(f"expected tag {tag:X} in chip data, found {t:X}")
    return data[offset : offset + length]
