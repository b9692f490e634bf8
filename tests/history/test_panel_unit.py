"""The history panel with the centre's answer stubbed (no broker): both languages, the centre's
proposal confirmed with F4, and the booth's own last 30 days when the centre is unavailable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from messaging.history_wire import Answer, Crossing
from records.codes import Purpose, TravellerCategory
from terminal import i18n
from terminal.history import HistoryClient
from terminal.screens.categorise import CategoriseScreen
from terminal.widgets.choice import Choice
from tests.helpers import wait_for
from tests.tui.conftest import make_booth, officers_file
from tests.tui.helpers import BoothFactory, read_and_open, saved, screen_text, sign_in

__all__ = ["make_booth", "officers_file"]
ANSWER = Answer(True, (Crossing("2026-02-20T06:00:00.000Z", "EXIT", "FICKSBURG"),
                       Crossing("2026-02-27T15:00:00.000Z", "ENTRY", "FICKSBURG")),
                ("OPEN_STAY",), 0, "MINEWORKER", "EMPLOYMENT")


@pytest.fixture
def centre(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Answer | None]]:
    answers: list[Answer | None] = []
    monkeypatch.setattr(HistoryClient, "ask", lambda self, mrz: answers.pop(0))
    yield answers
    i18n.set_language("en")


def _booth(make_booth: BoothFactory) -> Any:
    booth = make_booth()
    booth.app.settings.forwarding = True
    return booth


async def test_the_centre_proposal_is_one_key(make_booth: BoothFactory,
                                              centre: list[Answer | None]) -> None:
    booth = _booth(make_booth)
    centre.append(ANSWER)
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await wait_for(pilot, lambda: "HISTORY (centre)" in screen_text(pilot.app))
        text = screen_text(pilot.app)
        assert "ENTRY FICKSBURG" in text and "FLAGS: open stay" in text
        assert "Mineworker, Employment  PROPOSED" in text
        await pilot.press("f4")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert (record.traveller_category, record.purpose) == (TravellerCategory.MINEWORKER,
                                                           Purpose.EMPLOYMENT)
    assert record.category_proposed is True


async def test_sesotho_and_the_booths_own_days_when_unavailable(
        make_booth: BoothFactory, centre: list[Answer | None]) -> None:
    booth = _booth(make_booth)
    centre += [None, None]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await wait_for(pilot, lambda: "HISTORY UNAVAILABLE" in screen_text(pilot.app))
        assert "last 30 days: no crossing" in screen_text(pilot.app)
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen)
        form.query_one("#category", Choice).value = TravellerCategory.MINEWORKER
        form.query_one("#purpose", Choice).value = Purpose.EMPLOYMENT
        form.query_one("#decision").focus()
        await pilot.press("enter")
        await saved(pilot, booth, 1)
        i18n.set_language("st")
        await read_and_open(pilot, booth, "lso_passport")
        await wait_for(pilot, lambda: "NALANE HA E FUMANEHE" in screen_text(pilot.app))
        text = screen_text(pilot.app)
        assert "boutu ena, matsatsi a 30 a fetileng: " in text and " ENTRY" in text
