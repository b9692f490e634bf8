"""Framing decoders: every framing, split anywhere, with garbage, cut frames, bad BCC; fuzzed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.framing import (
    CR,
    ETX,
    FRAMINGS,
    MAX_FRAME_BYTES,
    SOH,
    STX,
    BlockDecoder,
    DeskoCuteDecoder,
    Frame,
    FrameDecoder,
    LinesDecoder,
    RteDecoder,
    encode,
    line_problem,
    make_decoder,
    rte_block,
)
from ocr.specimens import specimens

SPECIMENS = specimens()
TD3 = SPECIMENS["lso_passport"]
TD1 = SPECIMENS["lso_id_card"]
TD2 = SPECIMENS["td2_document"]


def run(decoder: FrameDecoder, data: bytes, *, chunk: int = 0, t0: float = 1.0) -> list[Frame]:
    """Feed in chunks 1 ms apart, then let every timeout pass."""
    out: list[Frame] = []
    step = chunk or len(data) or 1
    t = t0
    for start in range(0, len(data), step):
        out += decoder.feed(data[start : start + step], t)
        t += 0.001
    out += decoder.poll(t + 100)
    return out


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("lines", [TD3, TD1, TD2], ids=["td3", "td1", "td2"])
@pytest.mark.parametrize("chunk", [0, 1, 7])
def test_round_trip(framing: str, lines: list[str], chunk: int) -> None:
    frames = run(make_decoder(framing), encode(lines, framing), chunk=chunk)
    assert [f.lines for f in frames] == [tuple(lines)]
    assert frames[0].ok


@pytest.mark.parametrize("framing", FRAMINGS)
def test_back_to_back_documents(framing: str) -> None:
    data = encode(TD3, framing) + encode(TD1, framing) + encode(TD2, framing)
    frames = run(make_decoder(framing), data, chunk=5)
    assert [f.lines for f in frames] == [tuple(TD3), tuple(TD1), tuple(TD2)]


@pytest.mark.parametrize("eol", ["\r", "\n", "\r\n"])
def test_lines_any_terminator(eol: str) -> None:
    frames = run(LinesDecoder(), encode(TD3, "lines", eol=eol), chunk=1)
    assert [f.lines for f in frames] == [tuple(TD3)]


def test_lines_complete_shape_ends_document_without_waiting() -> None:
    decoder = LinesDecoder(inter_line_timeout_s=5)
    frames = decoder.feed(encode(TD3, "lines"), 1.0)  # no poll: no timeout needed
    assert [f.lines for f in frames] == [tuple(TD3)]
    assert decoder.deadline() is None


def test_lines_incomplete_document_flushes_after_inter_line_timeout() -> None:
    decoder = LinesDecoder(inter_line_timeout_s=0.3)
    assert decoder.feed(TD1[0].encode() + b"\r\n", 1.0) == []
    assert decoder.deadline() == pytest.approx(1.3)
    assert decoder.poll(1.2) == []
    frames = decoder.poll(1.31)
    assert len(frames) == 1 and frames[0].lines == (TD1[0],)
    assert decoder.deadline() is None


def test_lines_blank_line_ends_document() -> None:
    frames = LinesDecoder().feed(b"ABC\r\n\r\n", 1.0)
    assert len(frames) == 1 and frames[0].lines == ("ABC",)


def test_lines_overlong_line_is_reported() -> None:
    frames = run(LinesDecoder(), b"A" * (MAX_FRAME_BYTES + 50) + b"\n")
    assert frames and all(not f.ok for f in frames)
    assert "too long" in (frames[0].error or "")


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("bad", ["?", "*"])
def test_unreadable_characters_fail_with_reason(framing: str, bad: str) -> None:
    lines = [TD3[0], TD3[1][:5] + bad + TD3[1][6:]]
    frames = run(make_decoder(framing), encode(lines, framing))
    assert len(frames) == 1 and not frames[0].ok
    assert "unreadable characters" in (frames[0].error or "")
    assert "line 2" in (frames[0].error or "")


@pytest.mark.parametrize("framing", FRAMINGS)
def test_noise_before_a_frame_is_skipped_and_counted(framing: str) -> None:
    """A reader powering up sends e.g. NUL garbage CR LF; the frame that follows is read."""
    decoder = make_decoder(framing)
    data = b"\x00garbage\r\n" + encode(TD3, framing) + b"\r\n\x00"
    frames = run(decoder, data, chunk=3)
    assert [f.lines for f in frames] == [tuple(TD3)] and frames[0].ok
    assert decoder.drain_noise() >= len(b"garbage")
    assert decoder.drain_noise() == 0  # whitespace and NUL after a frame are not noise


@pytest.mark.parametrize("framing", ["stx-etx", "3m-rte", "desko-cute"])
def test_partial_frame_then_good_frame(framing: str) -> None:
    good = encode(TD3, framing)
    frames = run(make_decoder(framing), good[: len(good) // 2] + good, chunk=4)
    assert "partial frame" in (frames[0].error or "")
    assert frames[-1].lines == tuple(TD3) and frames[-1].ok


@pytest.mark.parametrize("framing", ["stx-etx", "3m-rte", "desko-cute"])
def test_frame_that_stops_arriving_is_reported_after_stale_timeout(framing: str) -> None:
    decoder = make_decoder(framing, stale_after_s=2.0)
    good = encode(TD3, framing)
    assert decoder.feed(good[:20], 1.0) == []
    assert decoder.deadline() == pytest.approx(3.0)
    assert decoder.poll(2.9) == []
    frames = decoder.poll(3.0)
    assert len(frames) == 1 and "stopped arriving" in (frames[0].error or "")
    assert decoder.deadline() is None


@pytest.mark.parametrize("framing", FRAMINGS)
def test_reset_reports_a_cut_frame(framing: str) -> None:
    decoder = make_decoder(framing)
    decoder.feed(encode(TD3, framing)[:30], 1.0)
    frames = decoder.reset()
    assert len(frames) == 1 and "partial frame" in (frames[0].error or "")
    assert decoder.reset() == [] and decoder.deadline() is None


def test_rte_wrong_bcc() -> None:
    frames = run(RteDecoder(), rte_block(TD3, bcc_delta=0x40))
    assert len(frames) == 1 and "wrong BCC" in (frames[0].error or "")


def test_rte_padding_and_missing_rows_removed() -> None:
    block = rte_block(TD2)  # 36-character lines go out padded to 44 with '_'
    assert block.count(b"_") == 2 * 8 and block.count(bytes([CR])) == 3
    frames = run(RteDecoder(), block)
    assert frames[0].lines == tuple(TD2)
    assert frames[0].meta == {"flag": "0"}


def test_rte_td2_padded_to_44() -> None:
    assert run(RteDecoder(), rte_block(TD2))[0].lines == tuple(TD2)


def test_rte_length_mismatch_is_garbled() -> None:
    block = bytearray(rte_block(TD3))
    block[1] += 1
    frames = run(RteDecoder(), bytes(block))
    assert frames and not frames[0].ok and "length" in (frames[0].error or "")


def test_rte_impossible_length_does_not_wait() -> None:
    frames = RteDecoder().feed(bytes([SOH, 0xFF, 0x3F]), 1.0)
    assert frames and not frames[0].ok


def test_desko_markers_checked_when_configured() -> None:
    good = encode(TD3, "desko-cute")
    assert [f.ok for f in run(DeskoCuteDecoder(sod=0x1C, eod=0x1D), good)] == [True]
    frames = run(DeskoCuteDecoder(sod=0x1E), good)
    assert not frames[0].ok and "start-of-document" in (frames[0].error or "")
    frames = run(DeskoCuteDecoder(eod=0x1E), good)
    assert [f.ok for f in frames] == [True, False]


def test_stx_etx_control_bytes_inside_frame_are_garbled() -> None:
    frames = run(make_decoder("stx-etx"), bytes([STX]) + b"AB\x07CD" + bytes([ETX]))
    assert not frames[0].ok and "control bytes" in (frames[0].error or "")


def test_line_problem_never_quotes_the_data() -> None:
    reason = line_problem(["P<UTO" + "a" * 39])
    assert reason is not None and "P<UTO" not in reason
    assert line_problem([]) is not None
    assert line_problem(TD3) is None


def test_unknown_framing() -> None:
    with pytest.raises(ValueError, match="unknown framing"):
        make_decoder("morse")
    with pytest.raises(ValueError, match="unknown framing"):
        encode(TD3, "morse")


# -- fuzz: random bytes and truncated frames never raise, memory stays bounded, and after a
#    pause the decoder reads the next good document ----------------------------------------

FRAME_BYTES = [encode(lines, f) for lines in (TD3, TD1) for f in FRAMINGS]
junk = st.one_of(
    st.binary(max_size=400),
    st.tuples(st.sampled_from(FRAME_BYTES), st.integers(0, 120)).map(lambda p: p[0][: p[1]]),
    st.lists(st.sampled_from([bytes([b]) for b in (SOH, STX, ETX, CR, 0x0A, 0x1C, 0x1D)]
                             + [b"OU", b"<<<", b"A1", b"?"]), max_size=60).map(b"".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(framing=st.sampled_from(FRAMINGS), garbage=junk,
       chunks=st.lists(st.integers(1, 64), min_size=1, max_size=20))
def test_fuzz_never_raises_and_recovers(framing: str, garbage: bytes, chunks: list[int]) -> None:
    decoder = make_decoder(framing)
    t, pos, i = 1.0, 0, 0
    while pos < len(garbage):
        size = chunks[i % len(chunks)]
        for frame in decoder.feed(garbage[pos : pos + size], t):
            assert frame.error is not None or line_problem(frame.lines) is None
        pos, t, i = pos + size, t + 0.001, i + 1
        if isinstance(decoder, BlockDecoder):
            assert len(decoder._buf) <= MAX_FRAME_BYTES + 1
            assert len(decoder._noise) <= MAX_FRAME_BYTES
    decoder.poll(t + 100)  # the line goes quiet
    assert decoder.deadline() is None
    frames = decoder.feed(encode(TD3, framing), t + 200) + decoder.poll(t + 300)
    assert frames[-1].lines == tuple(TD3) and frames[-1].ok
