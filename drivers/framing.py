"""How serial MRZ readers frame a document: incremental decoders (bytes in, lines out) and encoders.

Pure code, no I/O: the caller feeds whatever bytes the port returned, with the monotonic time
they arrived, and gets zero or more `Frame`s back. A `Frame` is either the MRZ lines of one
document or an error saying why the bytes could not be used (a frame cut short, a wrong BCC,
unreadable characters). Noise outside any frame (a reader powering up sends `\x00garbage\r\n`)
is skipped, not a Frame: `drain_noise()` says how many bytes were skipped, so the caller can
warn once and read the frame that follows. Decoders never raise on any input and keep bounded
memory, so a noisy line cannot crash or bloat the terminal.

Framings (the `framing` config key):

- ``lines``: each MRZ line ends with CR, LF or CRLF. A document ends when its lines form a
  complete MRZ (3x30, 2x36 or 2x44 characters), on an empty line, or when no line arrives for
  `inter_line_timeout_s`.
- ``stx-etx``: ``<STX> line <CR|LF> line ... <ETX>``.
- ``3m-rte``: 3M/Gemalto RTE native: ``<SOH> len_lo len_hi "O" "U" <STX> flag data <ETX> BCC``
  where data is three CR-terminated lines padded with '_' (missing top lines are empty), the
  length word counts the whole block from SOH to BCC (14 significant bits) and BCC is the XOR of
  every byte after the length word up to and including ETX.
- ``desko-cute``: Desko's CUTE interface: ``<SODO> <STX> line <CR> line <CR> ... <ETX> <EODO>``.
  The SODO/EODO device delimiters are not part of the data; any control byte is accepted there
  unless `sod`/`eod` are given.

Timeouts: call `poll(now)` when `deadline()` passes; it flushes a `lines` document and reports a
block frame that stopped arriving (a partial frame) after `stale_after_s`.

One module per framing (`framing_lines`, `framing_stx`, `framing_rte`, on `framing_block` and
`framing_base`); this one picks a decoder (`make_decoder`), encodes (`encode`) and re-exports
every name.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.framing_base import (
    COMPLETE_SHAPES,
    CR,
    DESKO_EOD,
    DESKO_SOD,
    ETX,
    FRAMINGS,
    LF,
    MAX_FRAME_BYTES,
    MAX_LINES,
    MRZ_CHARS,
    SOH,
    STX,
    UNREADABLE,
    Frame,
    FrameDecoder,
    Framing,
    line_problem,
)
from drivers.framing_block import BlockDecoder
from drivers.framing_lines import LinesDecoder
from drivers.framing_rte import (
    RteDecoder,
    rte_block,
)
from drivers.framing_stx import (
    DeskoCuteDecoder,
    StxEtxDecoder,
)

__all__ = [
    "BlockDecoder",
    "COMPLETE_SHAPES",
    "CR",
    "DESKO_EOD",
    "DESKO_SOD",
    "DeskoCuteDecoder",
    "ETX",
    "FRAMINGS",
    "Frame",
    "FrameDecoder",
    "Framing",
    "LF",
    "LinesDecoder",
    "MAX_FRAME_BYTES",
    "MAX_LINES",
    "MRZ_CHARS",
    "RteDecoder",
    "SOH",
    "STX",
    "StxEtxDecoder",
    "UNREADABLE",
    "encode",
    "line_problem",
    "make_decoder",
    "rte_block",
]


def make_decoder(
    framing: str,
    *,
    inter_line_timeout_s: float = 0.3,
    stale_after_s: float = 2.0,
    sod: int | None = None,
    eod: int | None = None,
) -> FrameDecoder:
    """The decoder for a `framing` name; ValueError for an unknown one."""
    if framing == "lines":
        return LinesDecoder(inter_line_timeout_s=inter_line_timeout_s,
                            stale_after_s=stale_after_s)
    if framing == "stx-etx":
        return StxEtxDecoder(stale_after_s=stale_after_s)
    if framing == "3m-rte":
        return RteDecoder(stale_after_s=stale_after_s)
    if framing == "desko-cute":
        return DeskoCuteDecoder(sod=sod, eod=eod, stale_after_s=stale_after_s)
    raise ValueError(f"unknown framing {framing!r}; use one of: {', '.join(FRAMINGS)}")


def encode(lines: Sequence[str], framing: str, *, eol: str = "\r\n") -> bytes:
    """The bytes a reader of this framing sends for `lines` (used by the simulator and tests)."""
    data = [line.encode("ascii", "replace") for line in lines]
    if framing == "lines":
        return b"".join(x + eol.encode() for x in data)
    if framing == "stx-etx":
        return bytes([STX]) + b"\r".join(data) + bytes([CR, ETX])
    if framing == "desko-cute":
        return (bytes([DESKO_SOD, STX]) + b"".join(x + b"\r" for x in data)
                + bytes([ETX, DESKO_EOD]))
    if framing == "3m-rte":
        return rte_block(lines)
    raise ValueError(f"unknown framing {framing!r}; use one of: {', '.join(FRAMINGS)}")
