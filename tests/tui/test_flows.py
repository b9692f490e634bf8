"""Pilot tests of whole booth flows, asserting the records that reach the outbox."""

from __future__ import annotations

from textual.widgets import Input

from drivers.base import ReaderStatus
from imdms.errors import ReaderIOError
from messaging.watchlist import Watchlist
from ocr.mrz import parse_mrz
from ocr.specimens import specimens
from records.codes import (
    CaptureMethod,
    Decision,
    Direction,
    DocumentType,
    MinorTravel,
    Purpose,
    Relationship,
    Sex,
    TipIndicator,
    TipReferral,
    TravellerCategory,
    WatchlistResult,
)
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.document import DocumentScreen
from terminal.screens.error_modal import ErrorModal
from terminal.screens.indicators import IndicatorsScreen
from terminal.screens.manual_mrz import ManualMrzScreen
from terminal.screens.minor_alone import MinorAloneModal
from terminal.screens.no_document import NoDocumentScreen
from terminal.screens.scan import ScanScreen
from terminal.screens.shift_summary import ShiftSummaryScreen
from terminal.screens.signin import SignInScreen
from terminal.screens.watchlist_alert import WatchlistAlertScreen
from tests.helpers import wait_for
from tests.tui.helpers import (
    NOW,
    OFFICER,
    BoothFactory,
    chip_read,
    read_and_open,
    saved,
    screen_text,
    sign_in,
)


async def test_clean_passport_is_enter_enter(make_booth: BoothFactory) -> None:
    booth = make_booth(border_post="MASERU-BR", terminal_id="booth-3")
    async with booth.app.run_test(size=(80, 24)) as pilot:
        assert isinstance(pilot.app.screen, SignInScreen)
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, CategoriseScreen)
        await pilot.press("enter")
        await saved(pilot, booth, 1)
        assert "Saved" in screen_text(pilot.app)
    (record,) = booth.records()
    assert record.officer_id == OFFICER
    assert (record.border_post, record.terminal_id) == ("MASERU-BR", "booth-3")
    assert record.direction is Direction.ENTRY
    assert record.capture_method is CaptureMethod.MRZ_READER
    assert record.document_type is DocumentType.PASSPORT
    assert record.nationality == "LSO" and record.country_of_residence == "LSO"
    assert record.traveller_category is TravellerCategory.CITIZEN
    assert record.purpose is Purpose.RETURNING_RESIDENT
    assert record.decision is Decision.ADMITTED
    assert record.mrz_valid is True and record.minor is False
    assert record.recorded_at.startswith("2026-11-27T08:30:00")
    assert record.record_id == "01937a00-0000-7000-8000-000000000001"


async def test_minor_linked_to_accompanying_adult(make_booth: BoothFactory) -> None:
    booth = make_booth(default_direction="EXIT")
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        await read_and_open(pilot, booth, "minor_passport")
        assert "MINOR" in screen_text(pilot.app)
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        adult = screen.query_one("#adult")
        assert not adult.disabled
        adult.focus()
        await pilot.press("right", "tab", "right", "tab", "space", "enter")
        await saved(pilot, booth, 2)
    adult_rec, minor_rec = booth.records()
    assert minor_rec.minor is True and adult_rec.minor is False
    assert minor_rec.direction is Direction.EXIT
    assert minor_rec.accompanying_adult_ref == adult_rec.record_id
    assert minor_rec.group_id == adult_rec.record_id
    assert minor_rec.relationship_to_adult is Relationship.PARENT
    assert minor_rec.consent_letter_seen is True


async def test_watchlist_hit_blocks_until_acknowledged(make_booth: BoothFactory) -> None:
    listed = parse_mrz(specimens(NOW.date())["zaf_passport"])
    watchlist = Watchlist.from_payload(
        {"version": "wl-7", "entries": [{"document_number": listed.document_number}]}
    )
    booth = make_booth(watchlist=watchlist)
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.feed("zaf_passport")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WatchlistAlertScreen))
        await pilot.press("escape", "enter")  # neither skips the alert
        assert isinstance(pilot.app.screen, WatchlistAlertScreen)
        assert "cannot be skipped" in screen_text(pilot.app) or "Tick" in screen_text(pilot.app)
        await pilot.press("space", "tab", "right", "enter")  # tick, refer to second line
        assert isinstance(pilot.app.screen, DocumentScreen)
        assert "WATCHLIST HIT" in screen_text(pilot.app)
        await pilot.press("enter", "enter")  # a visitor: purpose must be chosen first
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        assert "purpose" in screen_text(pilot.app)
        assert screen.focused is screen.query_one("#purpose")
        await pilot.press("right", "enter")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.watchlist_result is WatchlistResult.HIT
    assert record.watchlist_version == "wl-7"
    assert record.decision is Decision.REFERRED
    assert record.traveller_category is TravellerCategory.VISITOR
    assert record.purpose is Purpose.HOLIDAY and record.country_of_residence == "ZAF"


async def test_chip_mismatch_alert_and_record(make_booth: BoothFactory) -> None:
    booth = make_booth()
    lines = specimens(NOW.date())["lso_passport"]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.reader.feed(chip_read(lines, matches=True))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        assert "PASSED" in screen_text(pilot.app)
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        booth.reader.feed(chip_read(lines, matches=False))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        assert "CHIP DATA DIFFERS FROM THE PRINTED PAGE" in screen_text(pilot.app)
        assert pilot.app.screen.query("#face")
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 2)
    good, bad = booth.records()
    assert good.capture_method is CaptureMethod.CHIP_VERIFIED and good.chip_status == "PASSED"
    assert bad.capture_method is CaptureMethod.MRZ_READER
    assert bad.chip_status == "FAILED:dg1_mismatch"
    assert bad.decision is Decision.REFERRED  # preselected for a mismatch; the officer confirms


async def test_manual_mrz_live_check_digits(make_booth: BoothFactory) -> None:
    booth = make_booth()
    good = specimens(NOW.date())["lso_passport"]
    bad_line2 = good[1][:9] + ("0" if good[1][9] != "0" else "1") + good[1][10:]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        screen = pilot.app.screen
        assert isinstance(screen, ManualMrzScreen)
        screen.query_one("#mrz-1", Input).value = good[0].lower()
        await pilot.pause()
        assert "Keep typing" in screen_text(pilot.app)
        screen.query_one("#mrz-2", Input).value = bad_line2
        await pilot.pause()
        assert "number WRONG" in screen_text(pilot.app)
        screen.query_one("#mrz-2", Input).value = good[1]
        await pilot.pause()
        assert "All check digits pass" in screen_text(pilot.app)
        screen.query_one("#mrz-2").focus()
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, DocumentScreen)
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.capture_method is CaptureMethod.MANUAL
    assert record.mrz_valid is True and record.nationality == "LSO"


async def test_person_without_document_is_counted(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")
        screen = pilot.app.screen
        assert isinstance(screen, NoDocumentScreen)
        await pilot.press("tab", "right", "right")  # from the name: unknown -> male -> female
        screen.query_one("#nd-age", Input).value = "16"
        screen.query_one("#nd-nat", Input).value = "cod"
        screen.query_one("#nd-notes", Input).value = "walked in at the river"
        screen.query_one("#nd-notes").focus()
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen)
        await pilot.press("enter")  # no category yet: the form says so and focuses it
        assert "category" in screen_text(pilot.app)
        assert form.focused is form.query_one("#category")
        await pilot.press("a", "enter")  # "Asylum seeker / refugee"
        assert isinstance(pilot.app.screen, MinorAloneModal)  # a minor alone: how?
        await pilot.press("2")  # referred
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.minor_travel is MinorTravel.REFERRED and record.decision is Decision.REFERRED
    assert record.capture_method is CaptureMethod.NO_DOCUMENT
    assert record.document_type is DocumentType.NONE and record.document_number is None
    assert record.sex is Sex.FEMALE and record.nationality == "COD"
    assert record.age_estimated is True and record.age_at_crossing == 16
    assert record.minor is True and record.age_band == "15-19"
    assert record.traveller_category is TravellerCategory.ASYLUM_SEEKER_REFUGEE
    assert record.notes == "walked in at the river"


async def test_correction_saves_an_amendment(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        await pilot.press("f5")
        await pilot.press("enter")
        form = pilot.app.screen
        assert isinstance(form, CategoriseScreen) and "CORRECTION" in screen_text(pilot.app)
        await pilot.press("enter")
        assert "say why" in screen_text(pilot.app)
        form.query_one("#amend-reason", Input).value = "wrong direction"
        form.query_one("#direction").focus()
        await pilot.press("right", "enter")
        await saved(pilot, booth, 2)
    original, fix = booth.records()
    assert original.direction is Direction.ENTRY  # never edited
    assert fix.amends == original.record_id and fix.record_id != original.record_id
    assert fix.direction is Direction.EXIT and fix.amend_reason == "wrong direction"
    assert fix.document_number == original.document_number
    assert fix.recorded_at == original.recorded_at


async def test_reader_unplugged_shows_what_to_do(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.reader.set_state(ReaderStatus.DISCONNECTED, "USB cable unplugged")
        booth.reader.feed(ReaderIOError("the reader was unplugged", "plug the reader back in"))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorModal))
        text = screen_text(pilot.app)
        assert "unplugged" in text and "What to do: plug the reader back in" in text
        assert "Traceback" not in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: "reader disconnected" in str(booth.app.status_line()))
        assert "USB cable unplugged" in screen_text(pilot.app)
        booth.reader.set_state(ReaderStatus.CONNECTED)
        booth.feed("lso_passport")  # plugged back in: the next read works
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        assert "reader ok" in str(booth.app.status_line())


async def test_disk_full_keeps_the_traveller(make_booth: BoothFactory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from messaging.outbox import Outbox

    free = {"bytes": 0}
    box = Outbox(tmp_path / "full.sqlite3", free_bytes=lambda _p: free["bytes"])
    booth = make_booth(outbox=box)
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorModal))
        text = screen_text(pilot.app)
        assert "NOT SAVED" in text and "disk is full" in text and "Saved:" not in text
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, CategoriseScreen)  # nothing typed is lost
        free["bytes"] = 10**12
        await pilot.press("f2")
        await saved(pilot, booth, 1)


async def test_indicators_note_and_referral(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "minor_passport")
        await pilot.press("f7")
        assert isinstance(pilot.app.screen, IndicatorsScreen)
        assert "score" in screen_text(pilot.app)
        await pilot.press("space", "down", "space", "tab")
        pilot.app.screen.query_one("#tip-note", Input).value = "child did not speak"
        await pilot.press("tab", "right", "right", "f2")
        assert isinstance(pilot.app.screen, DocumentScreen)
        await pilot.press("enter")
        assert "2 flagged" in screen_text(pilot.app)
        await pilot.press("enter", "3")  # a minor with no adult here: the adult is elsewhere
        await saved(pilot, booth, 1)
        await pilot.press("f6")
        assert isinstance(pilot.app.screen, ShiftSummaryScreen)
        text = screen_text(pilot.app)
        assert "1 persons" in text and "persons flagged: 1" in text
        assert "minors 1 (0 alone)" in text
    (record,) = booth.records()
    assert record.tip_indicators == (
        TipIndicator.DOCUMENTS_HELD_BY_COMPANION,
        TipIndicator.COMPANION_ANSWERS,
    )
    assert record.tip_note == "child did not speak"
    assert record.tip_referral is TipReferral.POLICE_CHILD_GENDER_PROTECTION


async def test_wrong_pin_and_sign_out(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*OFFICER, "tab", "9", "9", "9", "9", "enter")
        assert isinstance(pilot.app.screen, SignInScreen)
        assert "Wrong officer id or PIN" in screen_text(pilot.app)
        await pilot.press("1", "2", "3", "4", "enter")
        await pilot.press("shift+tab")
        pilot.app.screen.query_one("#officer-id", Input).value = ""
        await sign_in(pilot)
        booth.feed("lso_passport")  # documents read while signed out are ignored, not lost
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ScanScreen)
        await pilot.press("f10", "y")  # F10 asks first (issue 13 item 12)
        assert isinstance(pilot.app.screen, SignInScreen)
        assert booth.app.shift is None
        await sign_in(pilot)
        booth.app.settings.idle_signout_s = 0.0  # an unattended booth signs itself out
        booth.app._check_idle()
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        assert booth.app.shift is None
    assert booth.records() == []


async def test_keyboard_wedge_burst_is_recognised_anywhere(make_booth: BoothFactory) -> None:
    import time

    from textual import events

    booth = make_booth()
    lines = specimens(NOW.date())["lso_passport"]
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")  # even with a text field focused, a reader's burst is a read
        assert isinstance(pilot.app.screen, NoDocumentScreen)
        pilot.app.screen.query_one("#nd-notes").focus()
        t = time.monotonic()
        for line in lines:
            for ch in [*line, "\r"]:
                key = events.Key("enter" if ch == "\r" else ch, ch)
                key.time = t
                t += 0.003
                pilot.app.post_message(key)
        await wait_for(pilot, lambda: any(
            "traveller is open" in n.message for n in pilot.app._notifications
        ))
        assert pilot.app.screen.query_one("#nd-notes", Input).value == ""  # nothing typed in
        await pilot.press("escape")
        t = time.monotonic()
        for line in lines:
            for ch in [*line, "\r"]:
                key = events.Key("enter" if ch == "\r" else ch, ch)
                key.time = t
                t += 0.003
                pilot.app.post_message(key)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        document = pilot.app.screen
        assert isinstance(document, DocumentScreen) and document.read.source == "wedge"
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
