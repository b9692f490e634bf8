"""Chip reads over the real path: ChipReader -> pyscard -> pcscd -> vpcd -> our simulator.

Every officer-facing fault goes through PC/SC here: wrong keys, bad MAC, card lost mid-DG2
(and resumed), PACE-only chip, unknown status word, and chips that refuse large Le.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from config.models import ChipConfig
from drivers.base import ReaderStatus
from drivers.chip.reader import ChipReader
from tests.chip.helpers import td3, wait_removed
from tools.epassport_sim import CardFaults, EPassportCard, TestPki, VpcdClient, make_card
from tools.epassport_sim.pcscd import READER

pytestmark = pytest.mark.peer
Insert = Callable[[EPassportCard], VpcdClient]
LINES = td3()
ALL_PASSED = {
    "dg1_hash": "passed",
    "dg2_hash": "passed",
    "sod_signature": "passed",
    "ds_certificate": "passed",
}


def _reader(csca: Path | None = None, max_le: int = 65536) -> ChipReader:
    reader = ChipReader(
        ChipConfig(type="chip", reader=READER, csca_path=csca, max_le=max_le), name="chip"
    )
    reader.set_mrz(LINES)
    return reader


@pytest.mark.parametrize(
    ("pace", "parameter_id", "protocol"),
    [("AES", 13, "PACE"), ("3DES", 12, "PACE"), (None, 13, "BAC")],
)
def test_full_read(
    sim: Insert, pki: TestPki, csca_dir: Path, pace: str | None, parameter_id: int, protocol: str
) -> None:
    sim(make_card(LINES, pki, pace=pace, parameter_id=parameter_id))
    with _reader(csca_dir) as reader:
        doc = reader.read(timeout=10)
    assert doc is not None and doc.ok, doc and doc.error
    assert doc.chip is not None and doc.mrz is not None
    assert doc.chip.protocol == protocol
    assert doc.chip.data_groups == ("COM", "DG1", "DG2", "SOD")
    assert doc.chip.passive_authentication == ALL_PASSED
    assert doc.chip.dg1_matches_print is True
    assert doc.chip.face_image is not None and doc.chip.face_image[:8] == b"\x89PNG\r\n\x1a\n"
    assert doc.mrz.valid and doc.source == "chip"
    assert doc.extra["apdu_count"] <= 20


@pytest.mark.parametrize("pace", ["AES", None])
def test_wrong_keys_say_rescan(sim: Insert, pki: TestPki, pace: str | None) -> None:
    sim(make_card(LINES, pki, pace=pace, chip_mrz_lines=td3(doc="LS7654321")))
    with _reader() as reader:
        doc = reader.read(timeout=10)
        assert doc is not None and not doc.ok
        assert doc.extra["kind"] == "wrong_keys"
        assert "rescan the data page" in doc.extra["hint"]
        assert doc.extra["sw"] == "6300"
        assert reader.state.status is ReaderStatus.ERROR


def test_bad_mac_is_reported(sim: Insert, pki: TestPki) -> None:
    sim(make_card(LINES, pki, faults=CardFaults(bad_mac_on_response=3)))
    with _reader() as reader:
        doc = reader.read(timeout=10)
    assert doc is not None and not doc.ok
    assert doc.extra["kind"] == "secure_messaging"
    assert "MAC" in (doc.error or "")


def test_card_lost_mid_dg2_resumes(sim: Insert, pki: TestPki, csca_dir: Path) -> None:
    faults = CardFaults(lose_in_file="DG2", lose_at_offset=8000)
    card = make_card(LINES, pki, max_le=0xDF, extended=False, faults=faults)
    client = sim(card)
    with _reader(csca_dir) as reader:
        doc = reader.read(timeout=10)
        assert doc is not None and not doc.ok
        assert doc.extra["kind"] == "card_removed" and doc.extra["resumable"] is True
        assert doc.extra["bytes_kept"] >= 8000
        assert "resumes" in doc.extra["hint"]
        wait_removed(READER)
        client.start()  # the officer puts the passport back
        doc = reader.read(timeout=10)
    assert doc is not None and doc.ok, doc and doc.error
    assert doc.chip is not None and doc.chip.passive_authentication == ALL_PASSED
    # never re-read: every byte of DG2 was sent once across both sessions
    assert card.bytes_served["DG2"] == len(card.files["DG2"])


def test_pace_only_chip_without_usable_pace(sim: Insert, pki: TestPki) -> None:
    sim(make_card(LINES, pki, pace=None, faults=CardFaults(bac_refused=True)))
    with _reader() as reader:
        doc = reader.read(timeout=10)
    assert doc is not None and not doc.ok
    assert doc.extra["kind"] == "pace_required"
    assert "only accepts PACE" in (doc.error or "")
    assert doc.extra["sw"] == "6A88"


def test_unknown_status_word_carries_hex(sim: Insert, pki: TestPki) -> None:
    sim(make_card(LINES, pki, pace=None, faults=CardFaults(fail_ins=(0xA4, 0x6FAA))))
    with _reader() as reader:
        doc = reader.read(timeout=10)
    assert doc is not None and not doc.ok
    assert doc.extra["kind"] == "status_word" and "6FAA" in (doc.error or "")


@pytest.mark.parametrize(("max_le", "extended", "le"), [(0xDF, True, 0xDF), (0xA0, False, 0xA0)])
def test_le_ladder_steps_down(
    sim: Insert, pki: TestPki, max_le: int, extended: bool, le: int
) -> None:
    card = make_card(LINES, pki, max_le=max_le, extended=extended)
    sim(card)
    with _reader() as reader:
        doc = reader.read(timeout=10)
    assert doc is not None and doc.ok, doc and doc.error
    assert doc.extra["le"] == le
    assert card.bytes_served["DG2"] == len(card.files["DG2"])


def test_waits_for_card_and_for_removal(sim: Insert, pki: TestPki) -> None:
    with _reader() as reader:
        t0 = time.monotonic()
        assert reader.read(timeout=0.3) is None  # no card
        assert time.monotonic() - t0 < 2
        assert reader.state.status is ReaderStatus.WAITING
        client = sim(make_card(LINES, pki))
        doc = reader.read(timeout=10)
        assert doc is not None and doc.ok
        assert reader.read(timeout=0.3) is None  # same card still there: not read twice
        client.stop()
        wait_removed(READER)  # pcscd polls every ~400 ms: a person is slower than that
        client.start()
        doc = reader.read(timeout=10)
        assert doc is not None and doc.ok


def test_close_from_another_thread(pcscd: str) -> None:
    reader = _reader()
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(reader.read(timeout=None)))
    thread.start()
    time.sleep(0.2)  # let it block in SCardGetStatusChange
    reader.close()
    thread.join(timeout=5)
    assert not thread.is_alive() and result == [None]
    reader.close()  # idempotent


def test_cli_chip_read(
    sim: Insert, pki: TestPki, csca_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import stat

    from imdms.cli import main

    sim(make_card(LINES, pki))
    face = tmp_path / "face.png"
    (tmp_path / "none.toml").write_text("")  # an empty booth config
    code = main(
        [
            "--config",
            str(tmp_path / "none.toml"),
            "chip",
            "read",
            "--reader",
            READER,
            "--mrz",
            *LINES,
            "--csca",
            str(csca_dir),
            "--out-face",
            str(face),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["protocol"] == "PACE" and out["data_groups"] == ["COM", "DG1", "DG2", "SOD"]
    assert out["dg1_mrz"] == LINES and out["dg1_matches_print"] is True
    assert out["passive_authentication"] == ALL_PASSED
    assert out["face_image_bytes"] == face.stat().st_size > 0
    assert stat.S_IMODE(face.stat().st_mode) == 0o600
    assert 0 < out["apdu_count"] <= 20 and out["seconds"] < 5


def test_cli_typed_keys_and_wrong_keys(
    sim: Insert, pki: TestPki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from imdms.cli import main

    sim(make_card(LINES, pki, pace=None))
    (tmp_path / "none.toml").write_text("")  # an empty booth config
    code = main(
        [
            "--config",
            str(tmp_path / "none.toml"),
            "chip",
            "read",
            "--reader",
            READER,
            "--doc",
            "LS1234568",
            "--dob",
            "850412",
            "--doe",
            "320101",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["kind"] == "wrong_keys"
    assert "rescan the data page" in captured.err


def test_rescan_wakes_a_read_waiting_on_the_card(sim: Insert, pki: TestPki) -> None:
    card_lines = td3(doc="LS7654321")
    sim(make_card(LINES, pki, chip_mrz_lines=card_lines))
    with _reader() as reader:
        doc = reader.read(timeout=10)
        assert doc is not None and doc.extra["kind"] == "wrong_keys"
        out: list[object] = []
        thread = threading.Thread(target=lambda: out.append(reader.read(None)))
        thread.start()  # blocks in SCardGetStatusChange: same card, same keys
        time.sleep(0.2)
        assert thread.is_alive()
        reader.set_mrz(card_lines)  # the officer rescans the page
        thread.join(5)
        assert not thread.is_alive()
        got = out[0]
        assert got is not None and getattr(got, "error", "x") is None
