"""Basic Access Control (Doc 9303-11 section 4.3) and the MRZ information its keys come from.

The keys come from the document number, birth date and expiry date as printed on the data page;
the terminal reads the page optically first and hands the lines to `keys_from_mrz_lines`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from drivers.chip import crypto
from drivers.chip.apdu import (
    INS_EXTERNAL_AUTH,
    INS_GET_CHALLENGE,
    SW_AUTH_FAILED,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_REFERENCED_DATA_NOT_FOUND,
    SW_SECURITY_NOT_SATISFIED,
    SW_SM_DATA_INCORRECT,
    CommandApdu,
)
from drivers.chip.errors import PaceRequiredError, StatusWordError, WrongKeysError
from drivers.chip.sm import SecureMessaging
from drivers.chip.transport import Channel
from imdms.errors import MrzError
from ocr.mrz import check_digit, parse_mrz


@dataclass(frozen=True, slots=True)
class MrzKeys:
    """The access key inputs. Personal data: never logged (repr hides them)."""

    document_number: str = field(repr=False)
    date_of_birth: str = field(repr=False)  # YYMMDD
    date_of_expiry: str = field(repr=False)  # YYMMDD

    def mrz_information(self) -> str:
        """Document number (padded to 9) + check, birth + check, expiry + check."""
        doc = self.document_number.upper().replace(" ", "<")
        doc = doc + "<" * max(0, 9 - len(doc))
        return (
            doc
            + check_digit(doc)
            + self.date_of_birth
            + check_digit(self.date_of_birth)
            + self.date_of_expiry
            + check_digit(self.date_of_expiry)
        )

    def k_seed_source(self) -> bytes:
        """SHA-1 of the MRZ information (PACE uses all 20 bytes, BAC the first 16)."""
        return hashlib.sha1(self.mrz_information().encode("ascii")).digest()

    @property
    def password_ref(self) -> int:
        """PACE password reference (MSE:Set AT DO'83'): 1 = MRZ."""
        return 1


@dataclass(frozen=True, slots=True)
class CanKey:
    """The card access number printed on ID cards (and some passports): a PACE password only
    (no BAC). Personal data: never logged."""

    can: str = field(repr=False)

    def k_seed_source(self) -> bytes:
        """The PACE password: the CAN itself (Doc 9303-11 section 9.7.3)."""
        return self.can.encode("ascii")

    @property
    def password_ref(self) -> int:
        return 2


AccessKey = MrzKeys | CanKey


def make_can(can: str) -> CanKey:
    """Validate a typed CAN (6 digits). Raises MrzError (no personal data in it)."""
    value = can.strip()
    if not re.fullmatch(r"\d{6}", value):
        raise MrzError(
            "the card access number must be 6 digits", "type the 6-digit CAN printed on the card"
        )
    return CanKey(value)


_DATE = re.compile(r"^\d{6}$")


def make_keys(document_number: str, date_of_birth: str, date_of_expiry: str) -> MrzKeys:
    """Validate and build keys from typed fields. Raises MrzError (no personal data in it)."""
    doc = document_number.strip().upper()
    if not re.fullmatch(r"[A-Z0-9<]{1,20}", doc):
        raise MrzError(
            "the document number has characters an MRZ cannot hold",
            "use letters and digits only, as printed in the MRZ",
        )
    for label, value in (("birth", date_of_birth), ("expiry", date_of_expiry)):
        if not _DATE.match(value):
            raise MrzError(f"the {label} date must be YYMMDD", "type six digits, e.g. 740812")
    return MrzKeys(doc, date_of_birth, date_of_expiry)


def keys_from_mrz_lines(lines: Sequence[str]) -> MrzKeys:
    """Document number, birth and expiry from TD1/TD2/TD3 (or visa) MRZ lines, by position
    (after ocr.mrz's check-digit-guided corrections).

    A TD1 document number longer than 9 characters continues in the optional data (Doc 9303-5).
    """
    # ocr.mrz fixes OCR confusions (O/0, I/1...) that check digits reveal; MrzError if no MRZ
    clean = list(parse_mrz(list(lines)).lines)
    if len(clean) == 3 and all(len(ln) == 30 for ln in clean):
        l1, l2 = clean[0], clean[1]
        doc = l1[5:14]
        if l1[14] == "<":  # long document number: rest in the optional data, then its check
            ext = l1[15:30].rstrip("<")
            doc = doc + ext[:-1]
        return make_keys(doc.rstrip("<") or doc, l2[0:6], l2[8:14])
    if len(clean) == 2 and len(clean[0]) == len(clean[1]) and len(clean[1]) in (36, 44):
        l2 = clean[1]
        doc = l2[0:9]
        if len(l2) == 36 and l2[9] == "<":  # TD2 long number: rest in the optional data
            doc = doc + l2[28:35].rstrip("<")[:-1]
        return make_keys(doc.rstrip("<") or doc, l2[13:19], l2[21:27])
    raise MrzError(
        "these lines are not a TD1, TD2 or TD3 MRZ", "rescan the data page so the whole MRZ is read"
    )


def derive_keys(keys: MrzKeys) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) for BAC."""
    seed = keys.k_seed_source()[:16]
    return crypto.kdf(seed, crypto.KDF_ENC, "3DES"), crypto.kdf(seed, crypto.KDF_MAC, "3DES")


def authenticate(
    channel: Channel,
    keys: MrzKeys,
    *,
    random: Callable[[int], bytes] = os.urandom,
) -> SecureMessaging:
    """Run BAC on a plain channel; return the session's SecureMessaging (also set on `channel`).

    Raises WrongKeysError (6300/6988 or a bad chip cryptogram), PaceRequiredError (BAC not
    supported), StatusWordError (anything else).
    """
    k_enc, k_mac = derive_keys(keys)
    rnd_ic, sw = channel.send(CommandApdu(0x00, INS_GET_CHALLENGE, 0, 0, le=8))
    if sw in (SW_REFERENCED_DATA_NOT_FOUND, SW_INS_NOT_SUPPORTED, SW_SECURITY_NOT_SATISFIED):
        raise PaceRequiredError("the chip refused Basic Access Control", sw=sw)
    if sw != SW_OK or len(rnd_ic) != 8:
        raise StatusWordError("GET CHALLENGE failed", sw)
    rnd_ifd, k_ifd = random(8), random(16)
    e_ifd = crypto.tdes_cbc_encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
    m_ifd = crypto.retail_mac(k_mac, crypto.pad(e_ifd, 8))
    resp, sw = channel.send(CommandApdu(0x00, INS_EXTERNAL_AUTH, 0, 0, e_ifd + m_ifd, le=40))
    if sw in (SW_AUTH_FAILED, SW_SM_DATA_INCORRECT) or (sw & 0xFFF0) == 0x63C0:
        raise WrongKeysError(sw=sw)
    if sw in (SW_REFERENCED_DATA_NOT_FOUND, SW_INS_NOT_SUPPORTED):
        raise PaceRequiredError("the chip refused Basic Access Control", sw=sw)
    if sw != SW_OK or len(resp) != 40:
        raise StatusWordError("EXTERNAL AUTHENTICATE failed", sw)
    e_ic, m_ic = resp[:32], resp[32:]
    if crypto.retail_mac(k_mac, crypto.pad(e_ic, 8)) != m_ic:
        raise WrongKeysError("the chip's answer to the MRZ keys did not verify")
    r = crypto.tdes_cbc_decrypt(k_enc, e_ic)
    if r[:8] != rnd_ic or r[8:16] != rnd_ifd:
        raise WrongKeysError("the chip's answer to the MRZ keys did not verify")
    k_ic = r[16:32]
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
    sm = SecureMessaging(
        crypto.kdf(seed, crypto.KDF_ENC, "3DES"),
        crypto.kdf(seed, crypto.KDF_MAC, "3DES"),
        ssc,
        "3DES",
    )
    channel.sm = sm
    return sm
