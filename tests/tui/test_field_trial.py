"""Issue 13 (field trial), officer side: each test failed before its fix."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from messaging.codes import Decision, Direction, Purpose
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.document import DocumentScreen
from terminal.screens.scan import ScanScreen
from terminal.screens.signin import SignInScreen
from tests.tui.conftest import OFFICER, PIN, BoothFactory, screen_text, sign_in, wait_for


async def type_pin(pilot: Any, officer: str, pin: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#officer-id", Input).value = officer
    pin_input = screen.query_one("#pin", Input)
    pin_input.focus()
    await pilot.pause()
    await pilot.press(*pin, "enter")


async def test_lockout_clears_the_pin_and_counts_down(make_booth: BoothFactory) -> None:
    """Item 6: a PIN typed during the lock stays out of the next try; the wait counts down."""
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        for _ in range(5):
            await type_pin(pilot, OFFICER, "9999")
        screen = pilot.app.screen
        assert isinstance(screen, SignInScreen)
        assert "wait 30 s" in screen_text(pilot.app)
        await type_pin(pilot, OFFICER, PIN)  # during the lock: refused, and cleared
        assert screen.query_one("#pin", Input).value == ""
        await pilot.pause(1.3)
        assert "wait 29 s" in screen_text(pilot.app) or "wait 28 s" in screen_text(pilot.app)
        screen._locked_until = 0.0  # the lock is over (no 30 s wait in a test)
        await pilot.pause(1.1)
        assert "try again" in screen_text(pilot.app)
        await type_pin(pilot, OFFICER, PIN)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))


async def test_direction_changed_on_the_form_drops_its_purpose_default(
    make_booth: BoothFactory,
) -> None:
    """Item 7: an EXIT chosen on the form is not saved as RETURNING_RESIDENT."""
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.feed("lso_passport")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        screen.query_one("#direction").focus()
        await pilot.press("right")  # ENTRY -> EXIT
        await pilot.pause()
        await pilot.press("f2")
        await wait_for(pilot, lambda: len(booth.records()) == 1)
    (record,) = booth.records()
    assert record.direction is Direction.EXIT
    assert record.purpose is None
    assert record.decision is Decision.ADMITTED
    assert Purpose.RETURNING_RESIDENT is not record.purpose


def screen_plain(app: Any) -> str:
    """The screen as a monochrome console shows it (characters only, no colour)."""
    import re

    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return text.replace("&#160;", " ").replace("&lt;", "<").replace("&gt;", ">")


async def test_ticks_differ_in_shape_not_only_colour(make_booth: BoothFactory) -> None:
    """Item 10: ticked and unticked read [x] and [ ] (no colour needed)."""
    from terminal.screens.indicators import IndicatorsScreen

    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.feed("lso_passport")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, IndicatorsScreen))
        await pilot.press("space")  # tick the first indicator
        await pilot.pause()
        plain = screen_plain(pilot.app)
        assert plain.count("[x]") == 1
        assert plain.count("[ ]") >= 5
