"""ChipReader on an in-process slot (no pcscd, no root): the reader's own logic, fast."""

from __future__ import annotations

import threading
import time

import pytest

from config.models import ChipConfig
from drivers.base import ReaderStatus
from drivers.chip.reader import ChipReader
from tests.chip.helpers import td3
from tools.epassport_sim import CardFaults, TestPki, make_card, make_test_pki
from tools.epassport_sim.inprocess import InProcessSlot

LINES = td3()


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_test_pki()


def _reader(slot: InProcessSlot, max_le: int = 65536) -> ChipReader:
    reader = ChipReader(ChipConfig(type="chip", max_le=max_le), name="chip", transport=slot)
    reader.set_mrz(LINES)
    return reader


def test_read_then_wait_for_a_new_card(pki: TestPki) -> None:
    slot = InProcessSlot()
    with _reader(slot) as reader:
        assert reader.state.status is ReaderStatus.CONNECTED
        assert reader.read(0.05) is None
        slot.insert(make_card(LINES, pki))
        doc = reader.read(2)
        assert doc is not None and doc.ok and doc.chip is not None
        assert doc.chip.dg1_matches_print is True
        assert reader.read(0.05) is None  # same card: not read twice
        slot.remove()
        assert reader.read(0.05) is None  # sees the removal
        slot.insert(make_card(LINES, pki, pace=None))
        doc = reader.read(2)
        assert doc is not None and doc.chip is not None and doc.chip.protocol == "BAC"


def test_dg1_differs_from_print_is_flagged(pki: TestPki) -> None:
    slot = InProcessSlot()
    chip_lines = td3(surname="OTHER")  # same keys, different name on the chip
    slot.insert(make_card(chip_lines, pki))
    with _reader(slot) as reader:
        doc = reader.read(2)
    assert doc is not None and doc.ok and doc.chip is not None
    assert doc.chip.dg1_matches_print is False


def test_resume_across_removal(pki: TestPki) -> None:
    slot = InProcessSlot()
    card = make_card(
        LINES, pki, max_le=0xDF, faults=CardFaults(lose_in_file="DG2", lose_at_offset=6000)
    )
    slot.insert(card)
    with _reader(slot) as reader:
        first = reader.read(2)
        assert first is not None and first.extra["kind"] == "card_removed"
        assert first.extra["bytes_kept"] > 6000
        slot.insert(card)
        doc = reader.read(2)
    assert doc is not None and doc.ok
    assert card.bytes_served["DG2"] == len(card.files["DG2"])


def test_wrong_keys_then_rescan(pki: TestPki) -> None:
    slot = InProcessSlot()
    card_lines = td3(doc="LS7654321")
    slot.insert(make_card(card_lines, pki))
    with _reader(slot) as reader:
        doc = reader.read(2)
        assert doc is not None and doc.extra["kind"] == "wrong_keys"
        assert reader.state.status is ReaderStatus.ERROR
        assert "rescan the data page" in reader.state.reason
        assert reader.read(0.05) is None  # same keys, same card: no retry loop
        reader.set_mrz(card_lines)  # the officer rescans the page
        doc = reader.read(2)
        assert doc is not None and doc.ok


def test_close_wakes_a_blocked_read() -> None:
    slot = InProcessSlot()
    reader = _reader(slot)
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(reader.read(None)))
    thread.start()
    time.sleep(0.05)
    reader.close()
    thread.join(2)
    assert out == [None]


def test_unreadable_csca_store_is_a_config_error(tmp_path: object) -> None:
    from pathlib import Path

    from imdms.errors import ConfigError

    missing = Path(str(tmp_path)) / "nope"
    with pytest.raises(ConfigError):
        ChipReader(ChipConfig(type="chip", csca_path=missing), transport=InProcessSlot())


def test_reader_without_extended_length_falls_back_in_one_read(pki: TestPki) -> None:
    slot = InProcessSlot(extended_apdus=False)
    card = make_card(LINES, pki)
    slot.insert(card)
    with _reader(slot) as reader:
        doc = reader.read(2)
        assert doc is not None and doc.ok, doc and doc.error
        assert doc.extra["le"] == 0xFF
        slot.remove()
        assert reader.read(0.05) is None
        slot.insert(card)
        doc = reader.read(2)  # remembered: no extended attempt this time
        assert doc is not None and doc.ok and doc.extra["apdu_count"] < 100


def test_rescan_wakes_a_read_waiting_on_the_same_card(pki: TestPki) -> None:
    slot = InProcessSlot()
    card_lines = td3(doc="LS7654321")
    slot.insert(make_card(card_lines, pki))
    with _reader(slot) as reader:
        doc = reader.read(2)
        assert doc is not None and doc.extra["kind"] == "wrong_keys"
        out: list[object] = []
        thread = threading.Thread(target=lambda: out.append(reader.read(None)))
        thread.start()  # blocks: same card, same keys
        time.sleep(0.05)
        assert thread.is_alive()
        reader.set_mrz(card_lines)  # the officer rescans the data page
        thread.join(3)
        assert not thread.is_alive()
        got = out[0]
        assert got is not None and getattr(got, "ok", False)


def test_ocr_slip_on_the_page_is_not_a_mismatch(pki: TestPki) -> None:
    slot = InProcessSlot()
    slot.insert(make_card(LINES, pki))
    page = [LINES[0], LINES[1].replace("LS1", "L51", 1)]  # S read as 5; check digit fixes it
    reader = ChipReader(ChipConfig(type="chip"), name="chip", transport=slot)
    with reader:
        reader.set_mrz(page)
        doc = reader.read(2)
    assert doc is not None and doc.chip is not None and doc.chip.dg1_matches_print is True


def test_progress_callback(pki: TestPki) -> None:
    slot = InProcessSlot()
    slot.insert(make_card(LINES, pki, max_le=0xDF))
    seen: list[tuple[str, int, int | None]] = []
    with _reader(slot) as reader:
        reader.on_progress = lambda f, n, total: seen.append((f, n, total))
        doc = reader.read(2)
    assert doc is not None and doc.ok
    dg2 = [(n, t) for f, n, t in seen if f == "DG2"]
    assert len(dg2) > 10 and dg2[-1][0] == dg2[-1][1]
    assert all(a[0] < b[0] for a, b in zip(dg2, dg2[1:], strict=False))


def test_garbage_dg1_is_flagged(pki: TestPki) -> None:
    from drivers.chip.tlv import tlv
    from tools.epassport_sim.pki import build_sod

    card = make_card(LINES, pki)
    card.files["DG1"] = tlv(0x61, tlv(0x5F1F, b"X" * 88))
    card.files["SOD"] = build_sod({1: card.files["DG1"], 2: card.files["DG2"]}, pki)
    slot = InProcessSlot()
    slot.insert(card)
    with _reader(slot) as reader:
        doc = reader.read(2)
    assert doc is not None and doc.chip is not None and doc.mrz is not None
    assert not doc.mrz.valid and doc.chip.dg1_matches_print is False
