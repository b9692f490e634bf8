"""Command APDUs (ISO 7816-4, short and extended length) and status words."""

from __future__ import annotations

from dataclasses import dataclass

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_FAILED = 0x6300
SW_SM_DATA_INCORRECT = 0x6988
SW_SM_MISSING = 0x6987
SW_FILE_NOT_FOUND = 0x6A82
SW_REFERENCED_DATA_NOT_FOUND = 0x6A88
SW_INS_NOT_SUPPORTED = 0x6D00
SW_WRONG_P1P2 = 0x6B00
SW_CONDITIONS = 0x6985

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTH = 0x82
INS_MSE = 0x22
INS_GENERAL_AUTH = 0x86

EMRTD_AID = bytes.fromhex("A0000002471001")


@dataclass(frozen=True, slots=True)
class CommandApdu:
    """One command. `le` is the expected length: None (no Le), 1..256 short, up to 65536 extended.

    `extended` forces extended-length encoding; it is chosen automatically when needed.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    @property
    def is_extended(self) -> bool:
        return self.extended or len(self.data) > 255 or (self.le is not None and self.le > 256)

    def header(self) -> bytes:
        return bytes([self.cla, self.ins, self.p1, self.p2])

    def to_bytes(self) -> bytes:
        out = bytearray(self.header())
        if self.is_extended:
            if self.data:
                out += bytes([0, len(self.data) >> 8, len(self.data) & 0xFF]) + self.data
            if self.le is not None:
                le = self.le & 0xFFFF  # 65536 encodes as 0000
                out += (b"" if self.data else b"\x00") + bytes([le >> 8, le & 0xFF])
        else:
            if self.data:
                out += bytes([len(self.data)]) + self.data
            if self.le is not None:
                out.append(self.le & 0xFF)  # 256 encodes as 00
        return bytes(out)


def encode_le(le: int, extended: bool) -> bytes:
    """Le bytes as used inside DO'97' (1 byte short, 2 bytes extended; max encodes as zeros)."""
    if extended:
        return (le & 0xFFFF).to_bytes(2, "big")
    return bytes([le & 0xFF])


def parse_command(raw: bytes) -> CommandApdu:
    """Decode a command APDU (the simulator uses this). Raises ValueError when malformed."""
    if len(raw) < 4:
        raise ValueError("APDU shorter than its header")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return CommandApdu(cla, ins, p1, p2)
    if len(body) == 1:
        return CommandApdu(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] != 0:  # short Lc
        lc = body[0]
        data = body[1 : 1 + lc]
        if len(data) != lc:
            raise ValueError("APDU shorter than its Lc")
        rest = body[1 + lc :]
        if len(rest) > 1:
            raise ValueError("trailing bytes after short Le")
        return CommandApdu(cla, ins, p1, p2, data, (rest[0] or 256) if rest else None)
    # extended: 00 then Lc(2) [data] [Le(2)] or 00 Le(2)
    if len(body) == 3:
        le = int.from_bytes(body[1:3], "big") or 65536
        return CommandApdu(cla, ins, p1, p2, le=le, extended=True)
    lc = int.from_bytes(body[1:3], "big")
    data = body[3 : 3 + lc]
    if len(data) != lc or lc == 0:
        raise ValueError("APDU shorter than its extended Lc")
    rest = body[3 + lc :]
    if rest and len(rest) != 2:
        raise ValueError("bad extended Le")
    le2 = (int.from_bytes(rest, "big") or 65536) if rest else None
    return CommandApdu(cla, ins, p1, p2, data, le2, extended=True)
