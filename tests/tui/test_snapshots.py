"""Snapshots of the booth's screens at the Linux console's 80x24 and at 120x40.

Fixed clock, fixed record ids, FakeReader and a real outbox in tmp: the SVGs are deterministic.
Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

from typing import Any

import pytest

from messaging.watchlist import Watchlist
from ocr.mrz import parse_mrz
from ocr.specimens import specimens
from terminal.booking import (
    PersonWithoutDocument,
    default_form,
    record_from_read,
    record_without_document,
)
from terminal.booth import BoothApp
from tests.helpers import wait_for
from tests.tui.helpers import NOW, OFFICER, BoothFactory, chip_read

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def seed_shift(pilot: Any) -> None:
    pilot.app.sign_in(OFFICER)
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ScanScreen")
    add_crossings(pilot.app)
    await pilot.pause()


def add_crossings(app: BoothApp) -> None:
    """Sign in directly and save two crossings (a citizen, a person without a document)."""
    from drivers.framing import Frame
    from drivers.serial_mrz import document_read

    booth = app.booth()
    read = document_read("fake", "mrz", Frame(tuple(specimens(NOW.date())["lso_passport"])))
    form = default_form(booth, nationality="LSO", age=34)
    citizen = record_from_read(booth, read, form)
    nodoc_form = default_form(booth, nationality="COD", age=30)
    nodoc = record_without_document(
        booth, PersonWithoutDocument(approx_age=30, nationality="COD"), nodoc_form
    )
    assert app.shift is not None
    for record in (citizen, nodoc):
        app.outbox.add(record)
        app.shift.records.append(record)
    app.refresh_status()


@pytest.mark.parametrize("size", SIZES)
def test_sign_in(snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]) -> None:
    booth = make_booth()
    booth.app.settings.demo_pin = "1234"
    assert snap_compare(booth.app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_scan(snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        await pilot.pause()
        pilot.app.screen.flash("Saved: ..000002 (admitted)")
        await pilot.pause()

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_document_minor_with_chip(
    snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]
) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        booth.reader.feed(chip_read(specimens(NOW.date())["minor_passport"], matches=True))
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        await pilot.pause()

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_categorise_minor(
    snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]
) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        booth.feed("minor_passport")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        await pilot.press("enter")
        pilot.app.screen.query_one("#adult").focus()
        await pilot.press("right")

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_watchlist_alert(
    snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]
) -> None:
    listed = parse_mrz(specimens(NOW.date())["zaf_passport"])
    watchlist = Watchlist.from_payload(
        {"version": "wl-7", "entries": [{"document_number": listed.document_number}]}
    )
    booth = make_booth(watchlist=watchlist)

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        booth.feed("zaf_passport")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "WatchlistAlertScreen")
        await pilot.press("escape")

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_manual_mrz_feedback(
    snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]
) -> None:
    booth = make_booth()
    good = specimens(NOW.date())["bad_check_digit"]

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        await pilot.press("f3")
        pilot.app.screen.query_one("#mrz-1").value = good[0]
        pilot.app.screen.query_one("#mrz-2").value = good[1]
        pilot.app.screen.query_one("#mrz-2").focus()
        await pilot.pause()

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_shift_summary(
    snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]
) -> None:
    booth = make_booth()

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        await pilot.press("f6")

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_document_possible_clone(
    snap_compare: Any, make_booth: BoothFactory, size: tuple[int, int]
) -> None:
    """PA passed, CA failed, AA not offered: the clone banner, the checks, REFERRED."""
    import dataclasses

    booth = make_booth()
    read = chip_read(specimens(NOW.date())["lso_passport"], matches=True)
    read = dataclasses.replace(read, extra={
        "possible_clone": True,
        "chip_authentication": {
            "dg14": "passed",
            "chip_proof": "failed: the chip could not continue secure messaging (possible clone)",
        },
        "active_authentication": {"signature": "not offered: the chip has no DG15"},
        "file_access": "select", "max_le": 192,
    })

    async def run_before(pilot: Any) -> None:
        await seed_shift(pilot)
        booth.reader.feed(read)
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DocumentScreen")
        await pilot.pause()

    assert snap_compare(booth.app, terminal_size=size, run_before=run_before)
