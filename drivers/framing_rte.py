"""The 3M/Gemalto ``3m-rte`` framing: decoder (length word and BCC checked) and encoder."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.framing_base import (
    CR,
    ETX,
    MAX_FRAME_BYTES,
    SOH,
    STX,
    Frame,
    _printable,
    _split_lines,
    line_problem,
)
from drivers.framing_block import BlockDecoder


class RteDecoder(BlockDecoder):
    """3M/Gemalto RTE native blocks with the BCC verified and '_' padding removed."""

    framing = "3m-rte"
    start_byte = SOH
    HEADER = 5  # SOH len_lo len_hi 'O' 'U'

    def _restarts(self, b: int) -> bool:
        # SOH may legitimately appear as a length or BCC byte; only restart in the text part.
        return len(self._buf) > self.HEADER and ETX not in self._buf[self.HEADER:]

    def _complete(self) -> int:
        buf = self._buf
        if len(buf) >= 3:
            length = (buf[1] | (buf[2] << 8)) & 0x3FFF
            if length < self.HEADER + 4 or length > MAX_FRAME_BYTES:
                return len(buf)  # impossible length: decode reports it
        if len(buf) > self.HEADER + 1 and buf[-2] == ETX and ETX not in buf[self.HEADER:-2]:
            return len(buf)
        return 0

    def _decode(self, frame: bytes, started: float) -> Frame:
        length = (frame[1] | (frame[2] << 8)) & 0x3FFF if len(frame) >= 3 else 0
        if len(frame) < self.HEADER + 4 or length != len(frame):
            return Frame((), "garbled frame: the RTE length field does not match the block; "
                         "check the framing setting", started)
        if frame[3:5] != b"OU" or frame[5] != STX:
            return Frame((), "garbled frame: not an RTE optical data block; check the framing "
                         "setting", started)
        bcc = 0
        for b in frame[3:-1]:
            bcc ^= b
        if bcc != frame[-1]:
            return Frame((), "wrong BCC: the frame was damaged on the line; present the "
                         "document again, check the cable and baud rate", started)
        flag, body = frame[6:7], frame[7:-2]
        if any(b < 0x20 and b != CR for b in body):
            return Frame((), "garbled frame: control bytes inside the frame; check the framing "
                         "and baud rate settings", started)
        lines = tuple(x for x in (y.rstrip("_") for y in _split_lines(_printable(body))) if x)
        meta = {"flag": _printable(flag)}
        return Frame(lines, line_problem(lines), started, meta)


def rte_block(lines: Sequence[str], *, flag: bytes = b"0", bcc_delta: int = 0) -> bytes:
    """An RTE block as a reader sends it (3 rows, '_' padding, top rows empty when missing)."""
    width = 30 if len(lines) >= 3 else 44
    rows = ["", "", ""][: max(0, 3 - len(lines))] + list(lines)[-3:]
    text = "".join((r + "_" * (width - len(r)) if r else "") + "\r" for r in rows)
    body = b"OU" + bytes([STX]) + flag[:1] + text.encode("ascii", "replace") + bytes([ETX])
    length = 3 + len(body) + 1
    bcc = 0
    for b in body:
        bcc ^= b
    return bytes([SOH, length & 0xFF, (length >> 8) & 0x3F]) + body + bytes([bcc ^ bcc_delta])
