"""Protocol, LDS and passive-authentication tests against the simulator in-process (no PC/SC)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from drivers.chip import lds, tlv
from drivers.chip.apdu import CommandApdu, parse_command
from drivers.chip.bac import keys_from_mrz_lines, make_keys
from drivers.chip.errors import (
    CardProtocolError,
    PaceRequiredError,
    SecureMessagingError,
    StatusWordError,
    WrongKeysError,
)
from drivers.chip.pa import CscaMasterList, load_csca_store, passive_authentication
from drivers.chip.session import ResumeState, read_passport
from drivers.chip.trust import load_trust_store
from imdms.errors import MrzError
from tests.chip.helpers import DirectTransport, td3
from tools.epassport_sim import CardFaults, TestPki, make_card, make_test_pki
from tools.epassport_sim.card import CardLost
from tools.epassport_sim.lds_build import dg2, facial_record

LINES = td3()
KEYS = keys_from_mrz_lines(LINES)


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return make_test_pki()


# ---- APDU and TLV ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("apdu", "wire"),
    [
        (CommandApdu(0, 0xB0, 0x81, 0, le=256), "00B0810000"),
        (CommandApdu(0, 0xB0, 0x81, 0, le=65536), "00B08100000000"),
        (CommandApdu(0, 0xB0, 0x81, 0, le=0x1000), "00B08100001000"),
        (
            CommandApdu(0, 0xA4, 4, 0x0C, bytes.fromhex("A0000002471001")),
            "00A4040C07A0000002471001",
        ),
        (
            CommandApdu(0x0C, 0xB0, 0, 0, b"\x01" * 300, le=65536),
            "0CB00000" + "00012C" + "01" * 300 + "0000",
        ),
    ],
)
def test_apdu_encoding_roundtrip(apdu: CommandApdu, wire: str) -> None:
    assert apdu.to_bytes().hex().upper() == wire.upper()
    back = parse_command(apdu.to_bytes())
    assert (back.data, back.le, back.is_extended) == (apdu.data, apdu.le, apdu.is_extended)


def test_tlv_lengths() -> None:
    for n in (0, 0x7F, 0x80, 0xFF, 0x100, 17000):
        encoded = tlv.tlv(0x5F2E, bytes(n))
        assert tlv.total_length(encoded[:6]) == len(encoded)
        assert tlv.unwrap(encoded, 0x5F2E) == bytes(n)
    assert tlv.total_length(b"\x75") is None
    with pytest.raises(CardProtocolError):
        tlv.unwrap(b"\x75\x82\x10", 0x75)


# ---- keys ---------------------------------------------------------------------------------
def test_keys_from_td1_with_long_document_number() -> None:
    from ocr.mrz import check_digit

    # the number's first 9 characters, '<', then the rest and its check digit (Doc 9303-5)
    l1 = ("I<LSO" + "AB1234567" + "<" + "8901" + check_digit("AB12345678901")).ljust(30, "<")
    l2 = "850412" + check_digit("850412") + "F320101" + check_digit("320101") + "LSO"
    l2 = l2.ljust(29, "<")
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    lines = [l1, l2, "TESTER<<PALESA<<<<<<<<<<<<<<<<"]
    keys = keys_from_mrz_lines(lines)
    assert keys.document_number == "AB12345678901"
    assert keys.date_of_birth == "850412" and keys.date_of_expiry == "320101"


def test_typed_keys_are_validated() -> None:
    assert make_keys("ls1234567", "850412", "320101").mrz_information().startswith("LS1234567")
    with pytest.raises(MrzError):
        make_keys("LS-1", "850412", "320101")
    with pytest.raises(MrzError):
        make_keys("LS1", "85-04-12", "320101")
    assert "LS1" not in repr(KEYS)


# ---- full reads in-process ---------------------------------------------------------------
@pytest.mark.parametrize(("pace", "pid"), [("AES", 13), ("AES", 12), ("3DES", 13), (None, 13)])
def test_read_in_process(pki: TestPki, pace: str | None, pid: int) -> None:
    card = make_card(LINES, pki, pace=pace, parameter_id=pid)
    result = read_passport(DirectTransport(card), KEYS, csca=[pki.csca_cert])
    assert result.protocol == ("BAC" if pace is None else "PACE")
    assert result.dg1_lines == tuple(LINES)
    assert set(result.passive_authentication.values()) == {"passed"}
    assert result.face is not None and result.face.mime == "image/jpeg"
    assert result.face_png is not None and result.face_png.startswith(b"\x89PNG")
    assert result.apdu_count <= 11


def test_extended_length_reads_each_file_in_one_apdu(pki: TestPki) -> None:
    card = make_card(LINES, pki, pace=None)
    result = read_passport(DirectTransport(card), KEYS)
    # SELECT, GET CHALLENGE, EXTERNAL AUTH, CardAccess probe + COM, DG1, DG2, SOD
    assert result.apdu_count == 8 and result.le == 65536


@pytest.mark.parametrize("max_le", [0xFF, 0xDF, 0xA0, 0x80])
def test_le_ladder_never_rereads(pki: TestPki, max_le: int) -> None:
    card = make_card(LINES, pki, max_le=max_le)
    result = read_passport(DirectTransport(card), KEYS)
    assert result.le == max_le
    for name in ("COM", "DG1", "DG2", "SOD"):
        assert card.bytes_served[name] == len(card.files[name])


def test_config_caps_le(pki: TestPki) -> None:
    card = make_card(LINES, pki)
    result = read_passport(DirectTransport(card), KEYS, max_le=224)
    assert result.le == 224


def test_wrong_keys(pki: TestPki) -> None:
    for pace in ("AES", "3DES", None):
        card = make_card(LINES, pki, pace=pace, chip_mrz_lines=td3(dob="850413"))
        with pytest.raises(WrongKeysError) as info:
            read_passport(DirectTransport(card), KEYS)
        assert info.value.sw == 0x6300 and "rescan the data page" in info.value.hint


def test_bad_mac(pki: TestPki) -> None:
    card = make_card(LINES, pki, faults=CardFaults(bad_mac_on_response=2))
    with pytest.raises(SecureMessagingError):
        read_passport(DirectTransport(card), KEYS)


def test_pace_only_card(pki: TestPki) -> None:
    card = make_card(LINES, pki, pace=None, faults=CardFaults(bac_refused=True))
    with pytest.raises(PaceRequiredError) as info:
        read_passport(DirectTransport(card), KEYS)
    assert info.value.sw == 0x6A88 and "only accepts PACE" in info.value.message
    # the same chip with PACE parameters is read with PACE
    card = make_card(LINES, pki, pace="AES", faults=CardFaults(bac_refused=True))
    assert read_passport(DirectTransport(card), KEYS).protocol == "PACE"


def test_unknown_status_word(pki: TestPki) -> None:
    card = make_card(LINES, pki, pace=None, faults=CardFaults(fail_ins=(0xA4, 0x6FAA)))
    with pytest.raises(StatusWordError) as info:
        read_passport(DirectTransport(card), KEYS)
    assert "6FAA" in info.value.message and "6FAA" in info.value.hint


class _LosingTransport(DirectTransport):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        from drivers.chip.errors import CardRemovedError

        try:
            return super().transmit(apdu)
        except CardLost as err:
            raise CardRemovedError() from err


def test_resume_after_card_lost(pki: TestPki) -> None:
    card = make_card(
        LINES,
        pki,
        max_le=0xDF,
        faults=CardFaults(lose_in_file="DG2", lose_at_offset=5000, lose_times=2),
    )
    state = ResumeState()
    from drivers.chip.errors import CardRemovedError

    for _ in range(2):
        with pytest.raises(CardRemovedError):
            read_passport(_LosingTransport(card), KEYS, resume=state)
        assert state.bytes_kept() > 5000
    result = read_passport(_LosingTransport(card), KEYS, resume=state)
    assert result.dg1_lines == tuple(LINES)
    assert card.bytes_served["DG2"] == len(card.files["DG2"])
    assert state.bytes_kept() == 0
    # other keys do not inherit the kept bytes
    state.partial["DG2"] = bytearray(b"junk")
    with pytest.raises(WrongKeysError):
        read_passport(_LosingTransport(card), keys_from_mrz_lines(td3(doe="330101")), resume=state)
    assert "DG2" not in state.partial


# ---- LDS ----------------------------------------------------------------------------------
def test_dg2_jpeg2000_face(pki: TestPki) -> None:
    from PIL import Image

    img = Image.new("RGB", (60, 80), (120, 90, 60))
    out = io.BytesIO()
    img.save(out, "JPEG2000")
    face = lds.parse_dg2(dg2(out.getvalue(), 60, 80, jpeg2000=True))
    assert face.mime == "image/jp2" and (face.width, face.height) == (60, 80)
    png = lds.to_png(face)
    with Image.open(io.BytesIO(png)) as back:
        assert back.size == (60, 80)


def test_dg2_without_facial_header_falls_back_to_signature() -> None:
    record = b"junk" + facial_record(b"\xff\xd8\xff\xe0" + bytes(20), 1, 1)[40:]
    face = lds._image_from_facial_record(record)
    assert face.data.startswith(b"\xff\xd8\xff")
    with pytest.raises(CardProtocolError):
        lds.to_png(face)


def test_com_and_dg1(pki: TestPki) -> None:
    card = make_card(LINES, pki)
    assert lds.parse_com(card.files["COM"]).data_groups == ("DG1", "DG2")
    assert lds.parse_dg1(card.files["DG1"]) == tuple(LINES)


# ---- passive authentication -------------------------------------------------------------
def _files(pki: TestPki) -> dict[str, bytes]:
    return make_card(LINES, pki).files


def test_pa_tampered_data_group(pki: TestPki) -> None:
    files = _files(pki)
    dg1 = bytearray(files["DG1"])
    dg1[-3] ^= 0x01
    result = passive_authentication(files["SOD"], {1: bytes(dg1), 2: files["DG2"]}, [pki.csca_cert])
    assert result["dg1_hash"].startswith("failed")
    assert result["dg2_hash"] == "passed" and result["sod_signature"] == "passed"


def test_pa_unknown_csca_and_no_store(pki: TestPki) -> None:
    files = _files(pki)
    groups = {1: files["DG1"], 2: files["DG2"]}
    other = make_test_pki("Other CSCA")
    assert passive_authentication(files["SOD"], groups, [other.csca_cert])[
        "ds_certificate"
    ].startswith("failed: no CSCA")
    assert passive_authentication(files["SOD"], groups, None)["ds_certificate"].startswith(
        "not checked"
    )
    # same name, different key: the signature check fails
    impostor = make_test_pki("Test CSCA")
    assert passive_authentication(files["SOD"], groups, [impostor.csca_cert])[
        "ds_certificate"
    ].startswith("failed: the DS certificate signature")


def test_pa_forged_sod_signature(pki: TestPki) -> None:
    files = _files(pki)
    sod = bytearray(files["SOD"])
    sod[-5] ^= 0x01  # inside the signature
    result = passive_authentication(bytes(sod), {1: files["DG1"]}, [pki.csca_cert])
    assert result["sod_signature"].startswith("failed")
    garbage = passive_authentication(b"\x77\x03\x30\x01\x00", {1: files["DG1"]}, None)
    assert garbage["sod"].startswith("failed")


def test_pa_expired_ds_still_passes_with_note(pki: TestPki) -> None:
    files = _files(pki)
    later = datetime.now(UTC) + timedelta(days=400)
    result = passive_authentication(files["SOD"], {1: files["DG1"]}, [pki.csca_cert], now=later)
    assert result["ds_certificate"].startswith("passed")


def test_csca_store_folder_der_and_unsigned_master_list(pki: TestPki, tmp_path: Path) -> None:
    der = pki.csca_cert.public_bytes(serialization.Encoding.DER)
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "a.der").write_bytes(der)
    (folder / "b.pem").write_bytes(pki.csca_pem())
    (folder / "readme.txt").write_bytes(b"not a certificate")
    assert len(load_csca_store(folder)) == 2
    cert = asn1_x509.Certificate.load(der)
    ml = CscaMasterList({"version": 0, "cert_list": [cert]})
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [],
            "encap_content_info": {
                "content_type": "2.23.136.1.1.2",
                "content": core.ParsableOctetString(ml.dump()),
            },
            "signer_infos": [],
        }
    )
    ml_file = tmp_path / "master.ml"
    ml_file.write_bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())
    # an unsigned master list is data without authority: its CSCAs are not trusted
    store = load_trust_store(ml_file)
    assert store.cscas == [] and store.problems == ["master.ml: the master list is not signed"]


@pytest.mark.parametrize(("max_le", "extended"), [(0xDF, False), (65536, True)])
def test_files_past_32k_use_odd_read_binary(pki: TestPki, max_le: int, extended: bool) -> None:
    card = make_card(LINES, pki, max_le=max_le, extended=extended, face_bytes=45_000)
    assert len(card.files["DG2"]) > 0x8000
    result = read_passport(DirectTransport(card), KEYS, csca=[pki.csca_cert])
    assert result.passive_authentication["dg2_hash"] == "passed"
    assert card.bytes_served["DG2"] == len(card.files["DG2"])
    assert result.face_png is not None


def test_several_pace_entries_send_the_parameter_id(pki: TestPki) -> None:
    from drivers.chip.pace import PACE_PROTOCOLS
    from tools.epassport_sim.lds_build import card_access

    card = make_card(LINES, pki)
    card.files["CardAccess"] = card_access("3DES", 12, more=[("AES", 13)])
    seen: list[bytes] = []

    class Spy(DirectTransport):
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            seen.append(apdu)
            return super().transmit(apdu)

    result = read_passport(Spy(card), KEYS)
    assert result.protocol == "PACE"
    mse = next(a for a in seen if a[1] == 0x22)
    assert mse.endswith(bytes.fromhex("84010D"))  # AES on brainpool chosen
    assert len(PACE_PROTOCOLS) == 5  # ECDH-GM 3DES/AES, ECDH-CAM AES, DH-GM 3DES/AES


def test_chip_without_short_file_ids(pki: TestPki) -> None:
    card = make_card(LINES, pki, faults=CardFaults(no_short_file_ids=True))
    result = read_passport(DirectTransport(card), KEYS, csca=[pki.csca_cert])
    # EF.CardAccess and every file are selected by file id instead
    assert result.protocol == "PACE"
    assert set(result.passive_authentication.values()) == {"passed"}


@pytest.mark.parametrize("kind", ["rsa", "rsa-pss"])
def test_pa_with_rsa_signers(kind: str) -> None:
    rsa_pki = make_test_pki(kind=kind)
    files = make_card(LINES, rsa_pki).files
    result = passive_authentication(
        files["SOD"], {1: files["DG1"], 2: files["DG2"]}, [rsa_pki.csca_cert]
    )
    assert set(result.values()) == {"passed"}, result


def test_keys_from_td2_with_long_document_number() -> None:
    from ocr.mrz import check_digit

    number = "AB12345678901"
    l1 = "I<LSOTESTER<<PALESA".ljust(36, "<")
    opt = ("8901" + check_digit(number)).ljust(7, "<")
    l2 = "AB1234567" + "<" + "LSO" + "850412" + check_digit("850412") + "F" + "320101"
    l2 += check_digit("320101") + opt
    l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    keys = keys_from_mrz_lines([l1, l2])
    assert keys.document_number == number
