"""Every simulator profile read over the real path: ChipReader -> pyscard -> pcscd -> vpcd.

The cases follow the inspection-system test suites of BSI TR-03105 Part 5.1 and the ICAO test
specification for inspection systems (units LDS, BAC, PACE, PA, CA, AA): each test names the
unit and what its case checks. A profile either reads, or fails with the officer's message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from config.models import ChipConfig
from drivers.base import DocumentRead
from drivers.chip.reader import ChipReader
from tests.chip.helpers import td3, wait_removed
from tools.epassport_sim import EPassportCard, TestPki, VpcdClient
from tools.epassport_sim.pcscd import READER
from tools.epassport_sim.profiles import PKI_KINDS, TEST_CAN, SimProfile, make_profile, pki_for

pytestmark = pytest.mark.peer
Insert = Callable[[EPassportCard], VpcdClient]
LINES = td3()
_PKIS: dict[str, TestPki] = {}


def _profile(name: str, tmp_path: Path, **overrides: object) -> tuple[SimProfile, Path]:
    kind = PKI_KINDS.get(name, ("ec", "sha256"))
    key = "-".join(kind)
    if key not in _PKIS:  # RSA/DSA keys are slow to make: one per kind per run
        _PKIS[key] = pki_for(name)
    sim = make_profile(name, LINES, _PKIS[key], **overrides)
    folder = tmp_path / "csca"
    folder.mkdir()
    (folder / "csca.pem").write_bytes(sim.pki.csca_pem())
    if sim.crl:
        (folder / "csca.crl").write_bytes(sim.crl)
    return sim, folder


def _read(folder: Path, timeout: float = 10) -> DocumentRead:
    reader = ChipReader(ChipConfig(type="chip", reader=READER, csca_path=folder), name="chip")
    reader.set_mrz(LINES)
    with reader:
        doc = reader.read(timeout=timeout)
    assert doc is not None
    return doc


def _passed(doc: DocumentRead) -> dict[str, str]:
    assert doc.ok, (doc.error, doc.extra.get("hint"))
    assert doc.chip is not None and doc.chip.dg1_matches_print is True
    pa = doc.chip.passive_authentication
    assert all(v.startswith("passed") for v in pa.values()), pa
    return pa


def test_full_chip_reads_by_sfi_with_extended_length(sim: Insert, tmp_path: Path) -> None:
    """LDS unit (reading EF.COM, DG1, DG2, EF.SOD) on a chip that supports everything."""
    profile, folder = _profile("full", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.extra["file_access"] == "sfi" and doc.extra["max_le"] == 65536
    assert doc.extra["apdu_count"] <= 11  # must not grow for a chip that supports everything


@pytest.mark.parametrize("sw", [0x6A82, 0x6A86, 0x6A81, 0x6981, 0x6986, 0x6D00, 0x6E00])
def test_no_sfi_falls_back_to_select_by_file_id(sim: Insert, tmp_path: Path, sw: int) -> None:
    """LDS unit, file selection: a chip without short-file-id READ BINARY (issue 16: 6A82)."""
    profile, folder = _profile("no-sfi", tmp_path)
    profile.card.faults.sfi_refusal_sw = sw
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.extra["file_access"] == "select"
    assert doc.extra["apdu_count"] <= 22  # within 2x of the chip that supports everything


def test_chip_ignoring_short_file_ids_is_read_by_select(sim: Insert, tmp_path: Path) -> None:
    """LDS unit, file selection: a chip answering 9000 to short-file-id reads with the current
    EF's bytes (or nothing) instead of refusing them."""
    profile, folder = _profile("full", tmp_path)
    profile.card.faults.sfi_ignored = True
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.extra["file_access"] == "select"


def test_no_com_takes_the_data_groups_from_the_sod(sim: Insert, tmp_path: Path) -> None:
    """LDS unit: EF.COM absent (optional in LDS 1.8); the group list comes from EF.SOD."""
    profile, folder = _profile("no-com", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.chip is not None and "COM" not in doc.chip.data_groups
    assert doc.extra["listed_groups"] == ["DG1", "DG2"]


@pytest.mark.parametrize(("name", "le"), [("le-192", 192), ("le-128", 128), ("no-extended", 255)])
def test_short_le_chips_step_down_and_keep_the_le(
    sim: Insert, tmp_path: Path, name: str, le: int
) -> None:
    """LDS unit, READ BINARY lengths: chips whose largest Le is 192 / 128 / short only."""
    profile, folder = _profile(name, tmp_path)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.extra["max_le"] == le
    assert profile.card.bytes_served["DG2"] == len(profile.card.files["DG2"])  # nothing twice
    assert doc.extra["apdu_count"] <= 2 * 79  # within 2x of the best short-Le read


def test_refused_extended_apdu_that_desyncs_sm_restarts_short(sim: Insert, tmp_path: Path) -> None:
    """LDS unit, extended length refused by a chip that does not count the refused APDU in its
    send sequence counter (gmrtd #457): the session restarts with short Le, nothing re-read."""
    profile, folder = _profile("no-extended", tmp_path, pace=None)  # BAC: the first long
    profile.card.faults.extended_desync = True  # read is already under secure messaging
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.extra["max_le"] == 255
    assert profile.card.bytes_served["DG2"] == len(profile.card.files["DG2"])


def test_6cxx_names_the_le_and_is_used_at_once(sim: Insert, tmp_path: Path) -> None:
    """LDS unit: a chip answering 6CC0 to a too-long Le; the reader uses 192 directly."""
    profile, folder = _profile("le-192", tmp_path)
    profile.card.faults.exact_le_sw = True
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.extra["max_le"] == 192
    # the same files on a chip answering 6700: 6Cxx saves the 223 step (SOD sizes vary by a
    # byte or two with the ECDSA signature, so compare like with like)
    from drivers.chip.bac import keys_from_mrz_lines
    from drivers.chip.session import read_passport
    from tests.chip.helpers import DirectTransport

    plain = make_profile("le-192", LINES, profile.pki).card
    plain.files = dict(profile.card.files)
    keys = keys_from_mrz_lines(LINES)
    exact = read_passport(DirectTransport(profile.card), keys).apdu_count
    assert exact == read_passport(DirectTransport(plain), keys).apdu_count - 1
    assert doc.extra["apdu_count"] == exact


def test_select_aid_before_bac(sim: Insert, tmp_path: Path) -> None:
    """BAC unit: the eMRTD application is selected before GET CHALLENGE (Portuguese chips)."""
    profile, folder = _profile("select-aid-first", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.chip is not None and doc.chip.protocol == "BAC"


def test_pace_only_chip_reads_with_pace(sim: Insert, tmp_path: Path) -> None:
    """PACE unit: BAC answered 6982, PACE listed in EF.CardAccess."""
    profile, folder = _profile("pace-only", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.chip is not None and doc.chip.protocol == "PACE"


def test_pace_only_chip_without_sfi_finds_card_access_by_file_id(
    sim: Insert, tmp_path: Path
) -> None:
    """PACE unit: EF.CardAccess reachable only by SELECT in the MF, BAC refused (6A88)."""
    profile, folder = _profile("no-sfi", tmp_path)
    profile.card.faults.bac_refused = True
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.chip is not None and doc.chip.protocol == "PACE"
    assert doc.extra["file_access"] == "select"


def test_slow_chip_is_not_cut_off_and_reports_progress(sim: Insert, tmp_path: Path) -> None:
    """LDS unit on a slow chip (3 s per KB): no timeout kills a healthy read; progress flows."""
    profile, folder = _profile("slow", tmp_path, face_bytes=2500)
    sim(profile.card)
    reader = ChipReader(ChipConfig(type="chip", reader=READER, csca_path=folder), name="chip")
    reader.set_mrz(LINES)
    seen: list[tuple[str, int, int | None]] = []
    reader.on_progress = lambda f, n, t: seen.append((f, n, t))
    with reader:
        doc = reader.read(timeout=2)  # the timeout bounds waiting for a card, not the read
    assert doc is not None
    _passed(doc)
    assert doc.extra["seconds"] > 3
    size = len(profile.card.files["DG2"])
    dg2 = [n for f, n, _t in seen if f == "DG2"]
    assert dg2[-1] == size and len(dg2) >= 3  # the slow chip is read in chunks: a moving bar


@pytest.mark.parametrize("name", ["sha1-sod", "rsa-pss", "ecdsa-explicit", "dsa"])
def test_passive_authentication_algorithms(sim: Insert, tmp_path: Path, name: str) -> None:
    """PA unit: SOD and certificates signed with SHA-1/RSA, RSA-PSS, explicit-curve ECDSA, DSA."""
    profile, folder = _profile(name, tmp_path)
    sim(profile.card)
    pa = _passed(_read(folder))
    if name == "sha1-sod":
        assert "deprecated algorithm SHA-1" in pa["sod_signature"]
        assert "deprecated algorithm SHA-1" in pa["ds_certificate"]
    else:
        assert set(pa.values()) == {"passed"}


def test_revoked_document_signer_fails_pa(sim: Insert, tmp_path: Path) -> None:
    """PA unit: the CSCA's CRL (in the CSCA folder) lists the document signer."""
    profile, folder = _profile("revoked-dsc", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    assert doc.ok and doc.chip is not None
    assert doc.chip.passive_authentication["ds_certificate"].startswith(
        "failed: the document signer certificate is revoked"
    )
    assert doc.chip.passive_authentication["sod_signature"] == "passed"


def test_pulled_mid_dg2_resumes(sim: Insert, tmp_path: Path) -> None:
    """LDS unit: the card leaves the field inside DG2; put back, the read resumes."""
    profile, folder = _profile("pulled-mid-dg2", tmp_path)
    client = sim(profile.card)
    reader = ChipReader(ChipConfig(type="chip", reader=READER, csca_path=folder), name="chip")
    reader.set_mrz(LINES)
    with reader:
        doc = reader.read(timeout=10)
        assert doc is not None and not doc.ok
        assert doc.extra["kind"] == "card_removed" and "put the passport back" in doc.extra["hint"]
        wait_removed(READER)
        client.start()
        doc = reader.read(timeout=10)
    assert doc is not None
    _passed(doc)
    assert profile.card.bytes_served["DG2"] == len(profile.card.files["DG2"])


@pytest.mark.parametrize(
    ("agreement", "cipher"), [("ECDH", "AES"), ("ECDH", "3DES"), ("DH", "AES"), ("DH", "3DES")]
)
def test_chip_authentication(sim: Insert, tmp_path: Path, agreement: str, cipher: str) -> None:
    """CA unit: DG14 ECDH or DH key, AES (MSE:Set AT + GA) and 3DES (MSE:Set KAT); SM restarts
    with the new keys and the next protected READ BINARY verifies under them."""
    profile, folder = _profile("ca", tmp_path, ca_cipher=cipher, ca_agreement=agreement)
    sim(profile.card)
    doc = _read(folder)
    pa = _passed(doc)
    assert pa["dg14_hash"] == "passed"
    assert doc.extra["chip_authentication"] == {
        "dg14": "passed",
        "key_agreement": "passed",
        "chip_proof": "passed",
    }
    assert doc.extra["active_authentication"] == {"signature": "not offered: the chip has no DG15"}
    assert doc.extra["possible_clone"] is False and doc.extra["alert"] is None
    assert doc.extra["apdu_count"] <= 22  # DG1 + 17 KB DG2 + SOD + PA + CA


@pytest.mark.parametrize("name", ["aa-rsa", "aa-ecdsa"])
def test_active_authentication(sim: Insert, tmp_path: Path, name: str) -> None:
    """AA unit: INTERNAL AUTHENTICATE; RSA ISO/IEC 9796-2 scheme 1, ECDSA (hash in DG14)."""
    profile, folder = _profile(name, tmp_path)
    sim(profile.card)
    doc = _read(folder)
    pa = _passed(doc)
    assert pa["dg15_hash"] == "passed"
    assert doc.extra["active_authentication"] == {"dg15": "passed", "signature": "passed"}
    assert doc.extra["possible_clone"] is False
    assert doc.extra["apdu_count"] <= 22


def test_clone_passes_pa_but_fails_ca_and_aa(sim: Insert, tmp_path: Path) -> None:
    """CA and AA units, negative case: genuine signed DG14/DG15 on a chip with other keys."""
    profile, folder = _profile("clone", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    pa = _passed(doc)  # the copied data is genuine
    assert pa["dg14_hash"] == pa["dg15_hash"] == "passed"
    assert doc.extra["active_authentication"]["signature"].endswith("(possible clone)")
    assert doc.extra["chip_authentication"]["chip_proof"].endswith("(possible clone)")
    assert doc.extra["possible_clone"] is True
    assert "second line" in doc.extra["alert"]


def _cli(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, object], str]:
    import json

    from imdms.cli import main

    empty = tmp_path / "empty.toml"  # a named config must exist; an empty one means defaults
    empty.write_text("")
    code = main(
        [
            "--config",
            str(empty),
            "chip",
            "read",
            "--reader",
            READER,
            "--mrz",
            *LINES,
            *args,
        ]
    )
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_cli_reports_clone_with_alert(
    sim: Insert, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`imdms chip read` JSON: chip_authentication, active_authentication, file_access, max_le."""
    profile, folder = _profile("clone", tmp_path)
    sim(profile.card)
    code, out, err = _cli(["--csca", str(folder)], tmp_path, capsys)
    assert code == 1
    assert out["possible_clone"] is True and "possible cloned chip" in err
    assert out["file_access"] == "sfi" and out["max_le"] == 65536
    ca = out["chip_authentication"]
    aa = out["active_authentication"]
    assert isinstance(ca, dict) and ca["key_agreement"] == "passed"
    assert isinstance(aa, dict) and aa["dg15"] == "passed"


def test_cli_crl_folder_and_genuine_chip(
    sim: Insert, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile, folder = _profile("revoked-dsc", tmp_path)
    crls = tmp_path / "crls"
    crls.mkdir()
    (folder / "csca.crl").rename(crls / "ls.crl")
    sim(profile.card)
    code, out, _err = _cli(["--csca", str(folder), "--crl", str(crls)], tmp_path, capsys)
    assert code == 1
    pa = out["passive_authentication"]
    assert isinstance(pa, dict) and "revoked" in pa["ds_certificate"]
    assert out["chip_authentication"] == {
        "key_agreement": "not offered: the chip has no Chip Authentication key in DG14"
    }


def _read_can(folder: Path, can: str) -> DocumentRead:
    reader = ChipReader(ChipConfig(type="chip", reader=READER, csca_path=folder), name="chip")
    reader.set_can(can)
    with reader:
        doc = reader.read(timeout=10)
    assert doc is not None
    return doc


def test_pace_with_can(sim: Insert, tmp_path: Path) -> None:
    """PACE unit with the CAN as password (ID cards): MSE:Set AT password reference 02."""
    profile, folder = _profile("pace-can", tmp_path)
    sim(profile.card)
    doc = _read_can(folder, TEST_CAN)
    assert doc.ok, doc.error
    assert doc.chip is not None and doc.chip.protocol == "PACE"
    assert doc.chip.dg1_matches_print is None  # typed keys: nothing printed to compare
    assert set(doc.chip.passive_authentication.values()) == {"passed"}


def test_wrong_can_says_check_the_can(sim: Insert, tmp_path: Path) -> None:
    profile, folder = _profile("pace-can", tmp_path)
    sim(profile.card)
    doc = _read_can(folder, "654321")
    assert not doc.ok and doc.extra["kind"] == "wrong_keys"
    assert "card access number" in doc.extra["hint"]


def test_can_on_a_bac_only_chip_asks_for_the_mrz(sim: Insert, tmp_path: Path) -> None:
    profile, folder = _profile("select-aid-first", tmp_path)  # BAC only
    sim(profile.card)
    doc = _read_can(folder, TEST_CAN)
    assert not doc.ok and doc.extra["kind"] == "can_not_usable"
    assert "data page" in doc.extra["hint"]


@pytest.mark.parametrize("clone", [False, True])
def test_pace_cam_proves_the_chip(sim: Insert, tmp_path: Path, clone: bool) -> None:
    """PACE unit, Chip Authentication Mapping: DO'8A' decrypts to CA_IC and
    CA_IC * PK_IC (DG14) = PK_Map,IC; no separate CA is run (CAM replaces it)."""
    profile, folder = _profile("pace-cam", tmp_path, clone=clone)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.chip is not None and doc.chip.protocol == "PACE-CAM"
    ca = doc.extra["chip_authentication"]
    if clone:
        assert ca["pace_cam"].endswith("(possible clone)") and doc.extra["possible_clone"]
    else:
        assert ca == {"dg14": "passed", "pace_cam": "passed"}
        assert doc.extra["apdu_count"] <= 13  # PACE + files + DG14, no MSE/GA for CA


def test_pace_dh_generic_mapping(sim: Insert, tmp_path: Path) -> None:
    """PACE unit, DH generic mapping (standardized domain parameters id 0)."""
    profile, folder = _profile("pace-dh", tmp_path)
    sim(profile.card)
    doc = _read(folder)
    _passed(doc)
    assert doc.chip is not None and doc.chip.protocol == "PACE"
    assert doc.extra["apdu_count"] <= 11
