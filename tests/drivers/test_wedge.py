"""Keyboard wedge: a fast burst is a document, a person typing is not."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.wedge import WedgeRecogniser, WedgeResult
from ocr.specimens import specimens

SPECIMENS = specimens()


def type_lines(rec: WedgeRecogniser, lines: Sequence[str], gap: float, t0: float = 10.0,
               line_gap: float | None = None) -> list[WedgeResult]:
    out: list[WedgeResult] = []
    t = t0
    for line in lines:
        for char in [*line, "\r"]:
            result = rec.feed(char, t)
            if result is not None:
                out.append(result)
            t += gap
        t += (line_gap or 0.0)
    return out


@pytest.mark.parametrize("name", ["lso_passport", "lso_id_card", "td2_document", "mrvb_visa"])
@pytest.mark.parametrize("gap", [0.001, 0.01, 0.025])
def test_reader_burst_is_recognised(name: str, gap: float) -> None:
    results = type_lines(WedgeRecogniser(), SPECIMENS[name], gap)
    assert len(results) == 1
    assert results[0].lines == tuple(SPECIMENS[name]) and results[0].error is None
    assert results[0].started < results[0].finished
    assert results[0].keystrokes == sum(len(x) + 1 for x in SPECIMENS[name])


@pytest.mark.parametrize("gap", [0.08, 0.15, 0.3])
def test_human_typing_is_not_a_reader(gap: float) -> None:
    assert type_lines(WedgeRecogniser(), SPECIMENS["lso_passport"], gap) == []


def test_one_slow_key_in_a_line_breaks_the_burst() -> None:
    rec = WedgeRecogniser()
    lines = SPECIMENS["lso_passport"]
    t = 0.0
    for i, char in enumerate([*lines[0], "\r", *lines[1], "\r"]):
        t += 0.2 if i == 50 else 0.005
        assert rec.feed(char, t) is None


def test_human_typing_then_a_scan() -> None:
    rec = WedgeRecogniser()
    assert type_lines(rec, ["HELLO", "P<LSO"], 0.12) == []
    results = type_lines(rec, SPECIMENS["lso_id_card"], 0.004, t0=50.0)
    assert [r.lines for r in results] == [tuple(SPECIMENS["lso_id_card"])]


def test_caps_lock_lowercase_is_accepted() -> None:
    lines = [x.lower() for x in SPECIMENS["lso_passport"]]
    results = type_lines(WedgeRecogniser(), lines, 0.003)
    assert results and results[0].lines == tuple(SPECIMENS["lso_passport"])


def test_unreadable_characters_give_an_error() -> None:
    lines = list(SPECIMENS["lso_passport"])
    lines[0] = lines[0][:10] + "*" + lines[0][11:]
    results = type_lines(WedgeRecogniser(), lines, 0.003)
    assert len(results) == 1 and "unreadable" in (results[0].error or "")


def test_long_pause_between_lines_resets() -> None:
    rec = WedgeRecogniser(max_line_gap_s=0.5)
    assert type_lines(rec, SPECIMENS["lso_passport"], 0.003, line_gap=1.0) == []


def test_in_burst_tracks_a_scan_in_progress() -> None:
    rec = WedgeRecogniser()
    for i, char in enumerate(SPECIMENS["lso_passport"][0][:10]):
        rec.feed(char, 1.0 + i * 0.005)
    assert rec.in_burst(1.06)
    assert not rec.in_burst(2.0)


def test_wrong_line_lengths_are_ignored() -> None:
    assert type_lines(WedgeRecogniser(), ["A" * 30, "B" * 44], 0.003) == []
    assert type_lines(WedgeRecogniser(), ["A" * 29], 0.003) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=6), st.floats(0, 0.5)), max_size=300))
def test_fuzz_keystrokes_never_raise(keys: list[tuple[str, float]]) -> None:
    rec = WedgeRecogniser()
    t = 0.0
    for char, gap in keys:
        t += gap
        result = rec.feed(char, t)
        assert result is None or len(result.lines) in (2, 3)
        rec.in_burst(t)
