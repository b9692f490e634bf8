"""Issue 13 (field trial), officer side: each test failed before its fix."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from records.codes import Decision, Direction, Purpose, RefusalReason
from terminal.screens.categorise import CategoriseScreen
from terminal.screens.document import DocumentScreen
from terminal.screens.scan import ScanScreen
from terminal.screens.signin import SignInScreen
from terminal.widgets.choice import Choice
from tests.helpers import wait_for
from tests.tui.helpers import (
    KIOSK,
    OFFICER,
    PIN,
    BoothFactory,
    read_and_open,
    save_visitor,
    saved,
    screen_text,
    sign_in,
    signed_in,
    specimen_mrz,
)


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
    async with booth.app.run_test(size=KIOSK) as pilot:
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
    async with signed_in(booth, "lso_passport") as pilot:
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        screen.query_one("#direction").focus()
        await pilot.press("right")  # ENTRY -> EXIT
        await pilot.pause()
        await pilot.press("f2")
        await saved(pilot, booth, 1, on_scan=False)
    (record,) = booth.records()
    assert record.direction is Direction.EXIT
    assert record.purpose is None
    assert record.decision is Decision.ADMITTED
    assert Purpose.RETURNING_RESIDENT is not record.purpose


def screen_plain(app: Any) -> str:
    """The screen as a monochrome console shows it (characters only, no colour)."""
    import html
    import re

    svg = app.export_screenshot()
    text = "\n".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))
    return html.unescape(text).replace("\xa0", " ")


async def test_ticks_differ_in_shape_not_only_colour(make_booth: BoothFactory) -> None:
    """Item 10: ticked and unticked read [x] and [ ] (no colour needed)."""
    from terminal.screens.indicators import IndicatorsScreen

    booth = make_booth()
    async with signed_in(booth, "lso_passport") as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, IndicatorsScreen))
        await pilot.press("space")  # tick the first indicator
        await pilot.pause()
        plain = screen_plain(pilot.app)
        assert plain.count("[x]") == 1
        assert plain.count("[ ]") >= 5


def hit_booth(make_booth: BoothFactory, outbox: Any = None) -> Any:
    from messaging.watchlist import Watchlist

    listed = specimen_mrz("zaf_passport")
    watchlist = Watchlist.from_payload(
        {"version": "wl-7", "entries": [{"document_number": listed.document_number}]}
    )
    return make_booth(watchlist=watchlist, outbox=outbox)


async def judge_hit(pilot: Any, booth: Any, rights: int) -> None:
    from terminal.screens.watchlist_alert import WatchlistAlertScreen

    booth.feed("zaf_passport")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WatchlistAlertScreen))
    await pilot.press("space", "tab", *(["right"] * rights), "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))


async def test_watchlist_hit_cannot_vanish_with_esc_esc(make_booth: BoothFactory) -> None:
    """Item 3: acknowledge, Refuse, Esc, Esc no longer discards the hit silently; saving
    stores the acknowledgement and the judgement."""
    from records.codes import RefusalReason, WatchlistJudgement, WatchlistResult
    from terminal.screens.confirm import ConfirmModal

    booth = hit_booth(make_booth)
    async with signed_in(booth) as pilot:
        await judge_hit(pilot, booth, rights=2)  # Refuse
        await pilot.press("enter")  # categorise
        assert isinstance(pilot.app.screen, CategoriseScreen)
        await pilot.press("escape", "escape")
        assert isinstance(pilot.app.screen, ConfirmModal)
        assert "WATCHLIST HIT" in screen_text(pilot.app)
        await pilot.press("escape")  # keep it
        assert isinstance(pilot.app.screen, DocumentScreen)
        await save_visitor(pilot)
        await saved(pilot, booth, 1, on_scan=False)
    (record,) = booth.records()
    assert record.watchlist_result is WatchlistResult.HIT
    assert record.watchlist_acknowledged is True
    assert record.watchlist_judgement is WatchlistJudgement.REFUSED
    assert record.decision is Decision.REFUSED
    assert record.refusal_reason is RefusalReason.G_ENTRY_BAN


async def test_not_this_person_clears_the_hit_banner(make_booth: BoothFactory) -> None:
    from records.codes import WatchlistJudgement

    booth = hit_booth(make_booth)
    async with signed_in(booth) as pilot:
        await judge_hit(pilot, booth, rights=3)  # Not this person
        assert "WATCHLIST HIT" not in screen_text(pilot.app)
        await save_visitor(pilot)
        await saved(pilot, booth, 1, on_scan=False)
    (record,) = booth.records()
    assert record.watchlist_judgement is WatchlistJudgement.NOT_THIS_PERSON
    assert record.decision is Decision.ADMITTED


async def test_indicators_and_note_are_not_discarded_without_asking(
    make_booth: BoothFactory,
) -> None:
    """Item 4: Esc, Esc with ticked indicators and a note asks first."""
    from terminal.screens.confirm import ConfirmModal
    from terminal.screens.indicators import IndicatorsScreen

    booth = make_booth()
    async with signed_in(booth, "lso_passport") as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, IndicatorsScreen))
        await pilot.press("space", "down", "space", "tab", *"seen", "f2")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("enter")
        await pilot.press("escape", "escape")
        assert isinstance(pilot.app.screen, ConfirmModal)
        assert "2 indicator(s) ticked" in screen_text(pilot.app)
        await pilot.press("n")
        assert isinstance(pilot.app.screen, DocumentScreen)
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
        assert "Discarded" in screen_text(pilot.app)
    assert booth.records() == []


async def test_idle_sign_out_keeps_the_open_traveller(make_booth: BoothFactory) -> None:
    """Item 2: the categorise form with a note survives an idle sign-out, is shown again at
    the same officer's next sign-in, and the sign-in screen says why it signed out."""
    booth = make_booth()
    async with signed_in(booth, "lso_passport") as pilot:
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        screen.query_one("#notes", Input).focus()
        await pilot.press(*"bag", "escape")  # back to the document screen, form collected
        await pilot.press("enter")
        booth.app.settings.idle_signout_s = 0.0
        booth.app._last_activity -= 1
        booth.app._check_idle()
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "without a key press" in text and "kept" in text
        await sign_in(pilot, to_scan=False)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CategoriseScreen))
        assert pilot.app.screen.query_one("#notes", Input).value == "bag"
        await pilot.press("f2")
        await saved(pilot, booth, 1, on_scan=False)
    (record,) = booth.records()
    assert record.notes == "bag"


async def test_f10_asks_and_direction_is_not_inherited(make_booth: BoothFactory) -> None:
    """Item 12: F10 signs out only after Y; the next officer starts at the booth's direction."""
    from terminal.screens.confirm import ConfirmModal

    booth = make_booth()
    async with signed_in(booth) as pilot:
        await pilot.press("f8")
        assert booth.app.settings.default_direction is Direction.EXIT
        await pilot.press("f10")
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ScanScreen) and booth.app.shift is not None
        await pilot.press("f10", "y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        assert booth.app.shift is None
        await sign_in(pilot)
        assert booth.app.settings.default_direction is Direction.ENTRY


async def test_repeat_scan_warns_and_a_void_cancels_the_duplicate(
    make_booth: BoothFactory,
) -> None:
    """Item 5: the same document twice within the window is flagged; F5, F9, D voids the
    duplicate, and the shift summary counts one person."""
    from records.codes import VoidReason
    from terminal.screens.correction import CorrectionScreen
    from terminal.screens.shift_summary import ShiftSummaryScreen
    from terminal.screens.void import VoidModal

    booth = make_booth()
    async with signed_in(booth) as pilot:
        for n in (1, 2):
            await read_and_open(pilot, booth, "lso_passport")
            await pilot.pause()
            assert ("SCANNED BEFORE" in screen_text(pilot.app)) is (n == 2)
            await pilot.press("enter", "enter")
            await saved(pilot, booth, n)
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CorrectionScreen))
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, VoidModal))
        await pilot.press("d")
        await saved(pilot, booth, 3)
        assert "Voided" in screen_text(pilot.app)
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ShiftSummaryScreen))
        assert pilot.app.screen.summary.persons == 1  # type: ignore[attr-defined]
    first, second, void = booth.records()
    assert void.amends == second.record_id and void.void is VoidReason.DUPLICATE
    kinds = [a["kind"] for a in booth.audits()]
    assert kinds == ["sign_in", "void"]


async def test_audit_trail_in_the_log_and_the_outbox(
    make_booth: BoothFactory, caplog: Any
) -> None:
    """Item 13: failed PINs, lockout, sign-in, alert decision, discard and sign-out reach the
    "terminal.audit" log and the outbox as audit events, with no traveller data."""
    import logging

    caplog.set_level(logging.INFO, logger="terminal.audit")
    booth = hit_booth(make_booth)
    async with booth.app.run_test(size=KIOSK) as pilot:
        for _ in range(5):
            await type_pin(pilot, OFFICER, "9999")
        pilot.app.screen._locked_until = 0.0
        await type_pin(pilot, OFFICER, PIN)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
        await judge_hit(pilot, booth, rights=1)  # referred
        await pilot.press("escape", "y")  # the traveller has left the booth
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
        await pilot.press("f10", "y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
    events = booth.audits()
    kinds = [e["kind"] for e in events]
    assert kinds == ["pin_failed"] * 5 + ["lockout", "sign_in", "alert_decision", "discard",
                                          "sign_out"]
    assert events[7]["detail"]["judgement"] == "REFERRED"
    assert events[8]["detail"]["watchlist_hit"] is True
    assert events[-1]["detail"]["reason"] == "officer"
    assert all(e["officer_id"] == OFFICER for e in events)
    assert booth.records() == []  # no crossing, but the hit left its alert event
    lines = [r.getMessage() for r in caplog.records if r.name == "terminal.audit"]
    assert len(lines) == len(events)
    mrz = specimen_mrz("zaf_passport")
    for text in lines + [json_text(e) for e in events]:
        assert mrz.document_number not in text and mrz.surname not in text


def json_text(event: dict[str, Any]) -> str:
    import json

    return json.dumps(event)


async def test_an_audit_event_that_cannot_be_stored_is_said_not_blocking(
    make_booth: BoothFactory, tmp_path: Any
) -> None:
    from messaging.outbox import Outbox

    class FullAudit(Outbox):
        def add_audit(self, event: dict[str, Any]) -> None:
            raise OSError("disk")

    booth = make_booth(outbox=FullAudit(tmp_path / "full.sqlite3"))
    async with signed_in(booth) as pilot:  # not blocked
        notes = [n.message for n in pilot.app._notifications]
        assert any("audit entry could not be stored" in n for n in notes)


async def test_reused_document_screen_shows_the_current_status(make_booth: BoothFactory) -> None:
    """Item 8: the second read's document screen shows today's direction and outbox count."""
    booth = make_booth()
    async with signed_in(booth, "lso_passport") as pilot:
        await pilot.pause()
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        await pilot.press("f8")
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.pause()
        top = screen_plain(pilot.app)
        assert "| EXIT |" in top and "1 to send" in top  # one crossing (audit events not counted)


async def test_expired_or_failed_document_needs_an_explicit_decision(
    make_booth: BoothFactory,
) -> None:
    """Item 9: Enter, Enter does not save an EXPIRED or CHECK FAILED document as admitted."""
    booth = make_booth()
    async with signed_in(booth) as pilot:
        for name, alert in (("expired_passport", "EXPIRED"), ("bad_check_digit", "CHECK FAILED")):
            await read_and_open(pilot, booth, name)
            await pilot.press("enter", "enter")
            screen = pilot.app.screen
            assert isinstance(screen, CategoriseScreen)
            await pilot.pause()
            text = screen_text(pilot.app)
            assert alert in text and "choose the decision" in text
            assert booth.records() == [] or len(booth.records()) == 1
            assert pilot.app.focused is screen.query_one("#decision")
            await pilot.press("right", "right", "right")  # blank, Admitted, Refused, Referred
            before = len(booth.records())
            await pilot.press("enter")
            await saved(pilot, booth, before + 1)  # referred: the photo step, refused
    decisions = [r.decision for r in booth.records()]
    assert decisions == [Decision.REFERRED, Decision.REFERRED]


async def test_minor_leaving_alone_is_asked(make_booth: BoothFactory) -> None:
    """Item 9 (and issue 21 item 3): a minor with no adult linked is not saved on a hint only:
    the officer says how the minor travels, and the record keeps it."""
    from records.codes import MinorTravel
    from terminal.screens.minor_alone import MinorAloneModal

    booth = make_booth(default_direction="EXIT")
    async with signed_in(booth, "minor_passport") as pilot:
        await pilot.press("enter", "f2")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MinorAloneModal))
        await pilot.press("escape")  # back, to link the adult
        assert isinstance(pilot.app.screen, CategoriseScreen) and booth.records() == []
        await pilot.press("f2", "1")  # travelling alone, consent letter seen
        await saved(pilot, booth, 1, on_scan=False)
    (record,) = booth.records()
    assert record.minor_travel is MinorTravel.ALONE_WITH_CONSENT
    assert record.consent_letter_seen is True and record.accompanying_adult_ref is None


async def test_adult_picker_tells_people_apart_and_keeps_the_direction(
    make_booth: BoothFactory,
) -> None:
    """Item 11: rows show direction, initials and the document's last digits; the picker offers
    only adults going the minor's way."""
    from terminal.screens.correction import CorrectionScreen

    booth = make_booth()
    async with signed_in(booth) as pilot:
        for name in ("lso_passport", "lso_id_card"):
            await read_and_open(pilot, booth, name)
            await pilot.press("enter", "enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
            await pilot.press("f8")  # the second one leaves
        await read_and_open(pilot, booth, "minor_passport")  # direction ENTRY again
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        adult = screen.query_one("#adult", Choice)
        labels = [text for text, value in adult._options if value is not None]
        entering = specimen_mrz("lso_passport")
        assert len(labels) == 1 and " ENTRY " in labels[0]
        assert f"..{entering.document_number[-3:]}" in labels[0]
        assert f"{entering.given_names[0]}.{entering.surname[0]}." in labels[0]
        screen.query_one("#direction", Choice).focus()
        await pilot.press("right")  # the minor leaves: only the adult who left is offered
        labels = [text for text, value in adult._options if value is not None]
        assert len(labels) == 1 and " EXIT " in labels[0]
        await pilot.press("escape", "escape", "y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen))
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CorrectionScreen))
        await pilot.pause()
        plain = screen_plain(pilot.app)
        assert f"..{entering.document_number[-3:]}" in plain


async def test_texts_fit_80_columns_and_say_no_code_names(make_booth: BoothFactory) -> None:
    """Item 12: every refusal reason is readable whole at 80x24; no field code names on the
    document screen; F1 lists the keys of the screen."""
    from terminal.labels import options
    from terminal.screens.help import HelpModal

    booth = make_booth()
    async with signed_in(booth, "bad_check_digit") as pilot:
        await pilot.pause()
        plain = screen_plain(pilot.app)
        assert "date_of_birth" not in plain and "Birth date: check digit" in plain
        assert "0 to send" in plain  # the status bar whole, at 80 columns (no crossing yet)
        assert "(fake)" not in plain and "Read by the reader 'mrz'" in plain
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpModal))
        await pilot.pause()
        plain = screen_plain(pilot.app)
        assert "Indicators" in plain and "Discard" in plain and "next / previous field" in plain
        await pilot.press("escape", "enter")
        screen = pilot.app.screen
        assert isinstance(screen, CategoriseScreen)
        screen.query_one("#decision", Choice).value = Decision.REFUSED
        refusal = screen.query_one("#refusal", Choice)
        for text, value in options(RefusalReason):
            refusal.value = value
            await pilot.pause()
            assert text in screen_plain(pilot.app), text


async def test_to_save_hint_goes_when_the_field_is_filled(make_booth: BoothFactory) -> None:
    """Item 12: no stale hint after the field it names is filled."""
    booth = make_booth()
    async with signed_in(booth, "zaf_passport") as pilot:  # a visitor: the purpose must be asked
        await pilot.press("enter")
        await pilot.pause()
        assert "choose the purpose" in screen_text(pilot.app)
        assert pilot.app.focused is pilot.app.screen.query_one("#purpose")
        await pilot.press("right")
        await pilot.pause()
        assert "choose the purpose" not in screen_text(pilot.app)


async def test_a_read_cut_by_an_unplug_does_not_blame_the_document(
    make_booth: BoothFactory,
) -> None:
    """Item 12: a frame cut because the reader went away says check the cable."""
    from drivers.base import DocumentRead, ReaderStatus
    from terminal.screens.error_modal import ErrorModal

    booth = make_booth()
    async with signed_in(booth) as pilot:
        booth.reader.set_state(ReaderStatus.DISCONNECTED, "device gone")
        booth.reader.feed(DocumentRead(source="serial", reader_name="mrz",
                                       error="the reader went away mid-document"))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ErrorModal))
        text = screen_text(pilot.app)
        assert "wipe" not in text and "cable" in text
