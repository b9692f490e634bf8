"""Keystrokes are never reordered, dropped or duplicated, whatever the timing or the load.

Keys are sent the way the terminal driver sends them (`driver.send_message`, no waiting for the
app to be idle between keys), with random gaps, while a timer freezes the event loop for
40-120 ms at random moments, as a busy Pi does. The field must equal what was typed."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from terminal.screens.manual_mrz import ManualMrzScreen
from terminal.screens.scan import ScanScreen
from tests.helpers import wait_for
from tests.tui.helpers import OFFICER, PIN, BoothFactory, sign_in

MRZ_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def key_event(char: str) -> events.Key:
    if char == "\t":
        return events.Key("tab", "\t")
    if char == "\r":
        return events.Key("enter", "\r")
    if char == "\u2192":  # stands for the Right arrow key in these strings
        return events.Key("right", None)
    if char == " ":
        return events.Key("space", " ")
    key = char if char.isalnum() else _character_to_key(char)
    return events.Key(key, char)


async def send_keys(app: Any, text: str, gaps_ms: list[int]) -> None:
    """Send `text` as the terminal driver does: from its own thread (so keys pile up while the
    loop is frozen), one Key message per character, `gaps_ms` apart."""
    driver = app._driver

    def type_them() -> None:
        for i, char in enumerate(text):
            event = key_event(char)
            event.set_sender(app)
            driver.send_message(event)
            gap = gaps_ms[i % len(gaps_ms)] if gaps_ms else 0
            time.sleep(gap / 1000)

    await asyncio.to_thread(type_them)


def start_stalls(app: Any, seed: int) -> None:
    """Freeze the event loop for 40-120 ms every 0.15-0.45 s (the field trial's busy Pi)."""
    rng = random.Random(seed)

    def stall() -> None:
        time.sleep(rng.uniform(0.04, 0.12))
        app.set_timer(rng.uniform(0.15, 0.45), stall)

    app.set_timer(rng.uniform(0.0, 0.15), stall)


async def open_manual(pilot: Any) -> Input:
    await sign_in(pilot)
    await pilot.press("f3")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ManualMrzScreen))
    field: Input = pilot.app.screen.query_one("#mrz-1", Input)
    await wait_for(pilot, lambda: pilot.app.focused is field)
    return field


async def typed_value(pilot: Any, field: Input, want: str) -> str:
    try:
        await wait_for(pilot, lambda: len(field.value) >= len(want), timeout=5.0)
    except AssertionError:
        pass
    await pilot.pause(0.1)
    return field.value


FIELD_TRIAL_LINE = "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<"


async def test_field_trial_line_typed_with_stalls(make_booth: BoothFactory) -> None:
    """The reproduced case: lower-case, 20-110 ms apart, the loop frozen now and then."""
    booth = make_booth()
    rng = random.Random(13)
    gaps = [rng.randint(20, 110) for _ in FIELD_TRIAL_LINE]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        field = await open_manual(pilot)
        start_stalls(pilot.app, seed=13)
        await send_keys(pilot.app, FIELD_TRIAL_LINE, gaps)
        assert await typed_value(pilot, field, FIELD_TRIAL_LINE) == FIELD_TRIAL_LINE.upper()
        assert field.cursor_position == len(FIELD_TRIAL_LINE)


@settings(max_examples=8, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    text=st.text(alphabet=MRZ_CHARS, min_size=1, max_size=18),
    gaps=st.lists(st.integers(0, 150), min_size=1, max_size=18),
    seed=st.integers(0, 2**16),
)
def test_manual_mrz_keeps_every_key(
    make_booth: BoothFactory, text: str, gaps: list[int], seed: int
) -> None:
    booth = make_booth()

    async def run() -> str:
        async with booth.app.run_test(size=(80, 24)) as pilot:
            field = await open_manual(pilot)
            start_stalls(pilot.app, seed)
            await send_keys(pilot.app, text, gaps)
            return await typed_value(pilot, field, text)

    assert asyncio.run(run()) == text.upper()


async def signin_ready(pilot: Any) -> None:
    from terminal.screens.signin import SignInScreen

    def ready() -> bool:
        stack = pilot.app.screen_stack
        focused = pilot.app.focused
        return bool(stack) and isinstance(stack[-1], SignInScreen) and focused is not None \
            and focused.id == "officer-id"

    await wait_for(pilot, ready)


async def test_sign_in_pasted_in_one_write(make_booth: BoothFactory) -> None:
    """"id<Tab>PIN<Enter>" in one write: each key lands in the field focused when it was typed
    (the wedge hold-back gives keys back after the Tab moved the focus)."""
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await signin_ready(pilot)
        await send_keys(pilot.app, f"{OFFICER}\t{PIN}\r", [0])

        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
        assert booth.app.shift is not None and booth.app.shift.officer_id == OFFICER


async def test_sign_in_pasted_upper_case_id(make_booth: BoothFactory, officers_file: Any) -> None:
    """An id in MRZ characters (held back by the wedge filter) followed by Tab and the PIN."""
    from terminal.officers import OfficerStore

    OfficerStore(officers_file).add("MSU017", PIN)
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await signin_ready(pilot)
        await send_keys(pilot.app, f"MSU017\t{PIN}\r", [0])
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
        assert booth.app.shift is not None and booth.app.shift.officer_id == "MSU017"


async def test_notes_keep_every_key_under_stalls(make_booth: BoothFactory) -> None:
    """Not only the MRZ screen: a free-text field on the form under the same load."""
    from terminal.screens.categorise import CategoriseScreen
    from terminal.screens.document import DocumentScreen

    booth = make_booth()
    text = "Seen at the gate 2x, bag Ok <ref 12>"
    rng = random.Random(5)
    gaps = [rng.randint(0, 150) for _ in text]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.feed("lso_passport")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CategoriseScreen))
        notes = pilot.app.screen.query_one("#notes", Input)
        notes.focus()
        await pilot.pause()
        start_stalls(pilot.app, seed=5)
        await send_keys(pilot.app, text, gaps)
        assert await typed_value(pilot, notes, text) == text


async def test_keys_for_a_tick_box_and_a_choice_in_one_burst(make_booth: BoothFactory) -> None:
    """"Space Tab Right Right Enter" in one write on the watchlist alert: the Space ticks the
    box (it had the focus), the Rights change the decision (tmux trial of issue 13)."""
    from messaging.watchlist import Watchlist
    from ocr.mrz import parse_mrz
    from ocr.specimens import specimens
    from records.codes import WatchlistJudgement
    from terminal.screens.document import DocumentScreen
    from terminal.screens.watchlist_alert import WatchlistAlertScreen
    from tests.tui.helpers import NOW

    listed = parse_mrz(specimens(NOW.date())["zaf_passport"])
    watchlist = Watchlist.from_payload(
        {"version": "wl-7", "entries": [{"document_number": listed.document_number}]})
    booth = make_booth(watchlist=watchlist)
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.feed("zaf_passport")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WatchlistAlertScreen))
        await pilot.pause()
        await send_keys(pilot.app, " \t\u2192\u2192\r", [0])
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        screen = pilot.app.screen
        assert isinstance(screen, DocumentScreen) and screen.case is not None
        assert screen.case.judgement is WatchlistJudgement.REFUSED
