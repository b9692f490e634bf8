"""The document, categorise, watchlist-alert and shift-summary screens in Sesotho at 80x24,
with the same scenes as test_snapshots.py; and a check that no text on them is cut (Sesotho
runs longer than English): a one-line text fits its widget's width, a wrapping one its height.
Update as in test_snapshots.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from messaging.watchlist import Watchlist
from ocr.mrz import parse_mrz
from ocr.specimens import specimens
from terminal import i18n
from terminal.widgets.choice import Choice
from tests.helpers import wait_for
from tests.tui.helpers import NOW, BoothFactory, chip_read
from tests.tui.test_snapshots import seed_shift

SIZE = (80, 24)
CONSOLE = Console(width=200, color_system=None)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


def _text(widget: Widget) -> Text:
    shown = widget.render()
    return shown if isinstance(shown, Text) else Text(str(shown))


def cut_texts(screen: Any) -> list[str]:
    """Texts on `screen` that do not fit the widget showing them."""
    found = []
    for widget in screen.query("*"):
        if not isinstance(widget, Static | Choice) or not widget.display:
            continue
        width, height = widget.content_size
        text = _text(widget)
        if not text.plain.strip() or width <= 0:
            continue
        if text.no_wrap or isinstance(widget, Choice):
            found += [f"{widget.id}: {line!r} wider than {width}" for line in
                      text.plain.splitlines() if Text(line).cell_len > width]
        elif len(text.wrap(CONSOLE, width)) > height:
            found.append(f"{widget.id}: {text.plain!r} taller than {height}")
    return found


async def _in_sesotho(pilot: Any) -> None:
    await pilot.press("f8")  # at sign-in: the officer's language for the shift
    await seed_shift(pilot)


def _document(booth: Any) -> Any:
    async def run_before(pilot: Any) -> None:
        await _in_sesotho(pilot)
        booth.reader.feed(chip_read(specimens(NOW.date())["minor_passport"], matches=True))
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        await pilot.pause()
        assert "NGOANA" in str(pilot.app.screen.query_one("#banner-0").render())
        assert cut_texts(pilot.app.screen) == []

    return run_before


def test_document_minor_with_chip_sesotho(snap_compare: Any, make_booth: BoothFactory) -> None:
    booth = make_booth()
    assert snap_compare(booth.app, terminal_size=SIZE, run_before=_document(booth))


def test_categorise_minor_sesotho(snap_compare: Any, make_booth: BoothFactory) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await _in_sesotho(pilot)
        booth.feed("minor_passport")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CategoriseScreen")
        pilot.app.screen.query_one("#adult").focus()
        await pilot.press("right")
        await pilot.pause()
        assert cut_texts(pilot.app.screen) == []

    assert snap_compare(booth.app, terminal_size=SIZE, run_before=run_before)


def test_watchlist_alert_sesotho(snap_compare: Any, make_booth: BoothFactory) -> None:
    listed = parse_mrz(specimens(NOW.date())["zaf_passport"])
    watchlist = Watchlist.from_payload(
        {"version": "wl-7", "entries": [{"document_number": listed.document_number}]}
    )
    booth = make_booth(watchlist=watchlist)

    async def run_before(pilot: Any) -> None:
        await _in_sesotho(pilot)
        booth.feed("zaf_passport")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "WatchlistAlertScreen")
        await pilot.press("escape")  # refused: the "cannot be skipped" line shows
        await pilot.pause()
        assert "LENANENG LA TEMOSO" in str(pilot.app.screen.query_one(".title").render())
        assert cut_texts(pilot.app.screen) == []

    assert snap_compare(booth.app, terminal_size=SIZE, run_before=run_before)


def test_shift_summary_sesotho(snap_compare: Any, make_booth: BoothFactory) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await _in_sesotho(pilot)
        await pilot.press("f6")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ShiftSummaryScreen")
        await pilot.pause()
        assert "batho" in str(pilot.app.screen.query_one("#sum-head").render())
        assert cut_texts(pilot.app.screen) == []

    assert snap_compare(booth.app, terminal_size=SIZE, run_before=run_before)



async def test_cut_check_sees_a_cut() -> None:
    """The check itself: a line wider than its widget, and a wrapped text taller than it."""
    from textual.app import App, ComposeResult

    class Narrow(App[None]):
        CSS = "Static { width: 10; height: 1; }"

        def compose(self) -> ComposeResult:
            yield Static(Text("x" * 30, no_wrap=True), id="wide")
            yield Static("word " * 10, id="tall")
            yield Static("fits", id="fits")

    async with Narrow().run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [cut.split(":")[0] for cut in cut_texts(pilot.app.screen)] == ["wide", "tall"]
