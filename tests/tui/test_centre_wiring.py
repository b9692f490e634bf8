"""The booth wired to what the centre sends: watchlist categories and instructions, hit events
in the outbox, referral case ids and receipts."""

from __future__ import annotations

from textual.widgets import Input

from messaging.referral_receipt import ReferralReceipt
from messaging.watchlist import Watchlist
from ocr.mrz import parse_mrz
from ocr.specimens import specimens
from records.case_id import case_id
from records.codes import Decision, ReceivingUnit, TipReferral, WatchlistResult
from terminal.screens.watchlist_alert import WatchlistAlertScreen
from tests.helpers import wait_for
from tests.tui.helpers import NOW, BoothFactory, read_and_open, saved, screen_text, sign_in


def _listed() -> Watchlist:
    listed = parse_mrz(specimens(NOW.date())["zaf_passport"])
    return Watchlist.from_payload({"format": "imdms-watchlist/1", "kind": "state", "version": 9,
                                   "entries": [{
        "id": "wl-42", "category": "WANTED", "instruction": "Detain; call the duty inspector.",
        "document_number": listed.document_number}]})


async def test_hit_shows_category_and_instruction_and_queues_the_event(
        make_booth: BoothFactory) -> None:
    booth = make_booth(watchlist=_listed(), border_post="MASERU-BR", terminal_id="booth-3")
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.feed("zaf_passport")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WatchlistAlertScreen))
        text = screen_text(pilot.app)
        assert "Wanted person" in text and "Detain; call the duty inspector." in text
        (hit,) = booth.hits()  # queued at once, before the officer judged it
        await pilot.press("space", "tab", "right", "enter")
        await pilot.press("enter", "right", "enter")  # categorise; a visitor's purpose
        await saved(pilot, booth, 1)
    (record,) = booth.records()
    assert record.watchlist_result is WatchlistResult.HIT and record.watchlist_version == "9"
    assert hit["record_id"] == record.record_id  # the id reserved at the read
    assert (hit["entry_id"], hit["category"], hit["match"]) == ("wl-42", "WANTED", "document")
    assert (hit["border_post"], hit["terminal_id"]) == ("MASERU-BR", "booth-3")
    assert hit["list_version"] == "9"


async def test_referral_shows_case_id_and_the_receipt(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "minor_passport")
        await pilot.press("f7", "space", "tab")
        pilot.app.screen.query_one("#tip-note", Input).value = "x"
        await pilot.press("tab", "right", "right", "f2", "enter", "enter", "1")
        await saved(pilot, booth, 1)
        (record,) = booth.records()
        assert record.tip_referral is TipReferral.POLICE_CHILD_GENDER_PROTECTION
        cid = case_id(record.record_id)
        assert f"case {cid}" in screen_text(pilot.app)
        pilot.app.referral_received(ReferralReceipt(  # type: ignore[attr-defined]
            cid, record.record_id, ReceivingUnit.POLICE_CHILD_GENDER_PROTECTION, "received",
            True, "2026-11-27T08:31:00.000Z"))
        await wait_for(pilot, lambda: any(
            "Referral received by" in str(n.message) and cid in str(n.message)
            for n in pilot.app._notifications))


async def test_a_plain_save_shows_no_case(make_booth: BoothFactory) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await read_and_open(pilot, booth, "lso_passport")
        await pilot.press("enter", "enter")
        await saved(pilot, booth, 1)
        assert "case TIP-" not in screen_text(pilot.app)
    assert booth.records()[0].decision is Decision.ADMITTED and booth.hits() == []


async def test_a_receipt_the_forwarder_stored_is_shown_once(make_booth: BoothFactory) -> None:
    """The forwarder (another process) appends receipts to <data_dir>; the booth shows each
    new one at its status tick, once."""
    from messaging import referral_inbox
    from messaging.referral_receipt import encode

    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.app.refresh_status()  # the first look: nothing new
        receipt = ReferralReceipt("TIP-7K3MQ-9XA2B", "rec-1", ReceivingUnit.SOCIAL_WELFARE,
                                  "received", True, "2026-11-27T08:31:00.000Z")
        referral_inbox.append(booth.data_dir, encode(receipt))
        booth.app.refresh_status()
        booth.app.refresh_status()

        def shown() -> int:
            return sum("TIP-7K3MQ-9XA2B" in str(n.message) for n in pilot.app._notifications)

        await wait_for(pilot, lambda: shown() >= 1)
        await pilot.pause()
        assert shown() == 1
