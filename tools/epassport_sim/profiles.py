"""Named chip profiles: the simulator behaving like real ePassports reported in the field.

Each profile is what a class of real chips does (JMRTD, gmrtd, dmrtd, NFCPassportReader and
vsmartcard issue threads; ICAO Doc 9303 editions), not what our reader expects:

  full              everything: PACE AES, short file ids, extended length, EF.COM
  no-sfi            READ BINARY by short file id answered 6A82; SELECT by file id only
  no-com            EF.COM absent (optional in newer LDS): data groups only in EF.SOD
  le-192            largest Le 192 (a Ukrainian passport), no extended length (6700 above)
  le-128            largest Le 128, no extended length
  no-extended       short APDUs only: an extended Le is answered 6700
  select-aid-first  BAC chip: GET CHALLENGE refused (6985) until the eMRTD AID is selected
  pace-only         BAC refused with 6982; PACE listed in EF.CardAccess
  slow              3 s per KB sent (3-15 s reads on real chips)
  sha1-sod          SOD, DS and CSCA certificates signed with SHA-1 (Doc 9303 6th edition)
  rsa-pss           RSASSA-PSS (SHA-256) signatures
  ecdsa-explicit    the DS key's curve encoded as explicit parameters, not a named curve
  dsa               DSA (2048/256) CSCA and document signer
  revoked-dsc       the CSCA's CRL lists the document signer (`SimProfile.crl`)
  pulled-mid-dg2    the card leaves the field once, 8 KB into DG2 (short Le chip)
  pace-dh           PACE with DH generic mapping (RFC 5114 1024-bit group, id 0), AES
  pace-can          an ID card: PACE with the card access number 123456 (or the MRZ), no BAC
  ca                Chip Authentication: DG14 with an ECDH brainpoolP256r1 key, AES
                    (make_profile(..., ca_cipher="3DES") for the MSE:Set KAT variant;
                    ca_agreement="DH": a DH key in the RFC 5114 1024/160 group)
  aa-rsa            Active Authentication: DG15 RSA-1024, ISO/IEC 9796-2 scheme 1, SHA-1
  aa-ecdsa          Active Authentication: DG15 P-256, plain ECDSA-SHA256 named in DG14
  clone             valid PA (genuine DG14/DG15 copied) but the chip holds other CA/AA keys
  pace-cam          PACE with Chip Authentication Mapping (AES, brainpoolP256r1); the
                    static key in DG14 (make_profile(..., clone=True): a CAM clone)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from drivers.chip.dh import RFC5114_1024_160
from tools.epassport_sim import make_card
from tools.epassport_sim.card import CardFaults, EPassportCard
from tools.epassport_sim.chip_auth import (
    CA_DH_3DES,
    CA_DH_AES,
    CA_ECDH_3DES,
    CA_ECDH_AES,
    ChipKeys,
    DhPrivateKey,
    dg14,
    dg15,
)
from tools.epassport_sim.pki import TestPki, make_test_pki

TEST_CAN = "123456"
# profile -> (PKI kind, digest): the profiles that need their own signing algorithm
PKI_KINDS: dict[str, tuple[str, str]] = {
    "sha1-sod": ("rsa", "sha1"),
    "rsa-pss": ("rsa-pss", "sha256"),
    "ecdsa-explicit": ("ecdsa-explicit", "sha256"),
    "dsa": ("dsa", "sha256"),
}

_CARD_ARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "full": dict,
    "no-sfi": lambda: {"faults": CardFaults(no_short_file_ids=True, sfi_refusal_sw=0x6A82)},
    "no-com": lambda: {"com": False},
    "le-192": lambda: {"max_le": 192, "extended": False},
    "le-128": lambda: {"max_le": 128, "extended": False},
    "no-extended": lambda: {"max_le": 256, "extended": False},
    "select-aid-first": lambda: {"pace": None, "faults": CardFaults(bac_needs_aid=True)},
    "pace-only": lambda: {"faults": CardFaults(bac_refused=True, bac_refused_sw=0x6982)},
    "slow": lambda: {"faults": CardFaults(seconds_per_kb=3.0)},
    "sha1-sod": dict,
    "rsa-pss": dict,
    "ecdsa-explicit": dict,
    "dsa": dict,
    "revoked-dsc": dict,
    "pace-dh": lambda: {"pace": "DH-AES", "parameter_id": 0},
    "pace-can": lambda: {"faults": CardFaults(bac_refused=True), "can": TEST_CAN},
    "pulled-mid-dg2": lambda: {
        "max_le": 0xFF,
        "extended": False,
        "faults": CardFaults(lose_in_file="DG2", lose_at_offset=8000),
    },
}
AUTH_PROFILES = ("ca", "aa-rsa", "aa-ecdsa", "clone", "pace-cam")
PROFILES: tuple[str, ...] = (*_CARD_ARGS, *AUTH_PROFILES)


def _auth(name: str, ca_cipher: str, agreement: str = "ECDH") -> tuple[dict[str, bytes], ChipKeys]:
    """The DG14/DG15 files and the chip's private keys for the CA/AA profiles."""
    if agreement == "DH":
        oid = CA_DH_AES if ca_cipher == "AES" else CA_DH_3DES
    else:
        oid = CA_ECDH_AES if ca_cipher == "AES" else CA_ECDH_3DES
    ca_key: Any = None
    aa_key: Any = None
    aa_hash = None
    extra: dict[str, bytes] = {}
    if name in ("ca", "clone", "pace-cam"):
        ca_key = ec.generate_private_key(ec.BrainpoolP256R1())
        if agreement == "DH":
            ca_key = DhPrivateKey(RFC5114_1024_160, secrets.randbelow(RFC5114_1024_160.n - 2) + 1)
    if name in ("aa-rsa", "clone"):
        aa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    if name == "aa-ecdsa":
        aa_key, aa_hash = ec.generate_private_key(ec.SECP256R1()), "sha256"
    if ca_key is not None or aa_hash is not None:
        public = ca_key if isinstance(ca_key, DhPrivateKey) else ca_key and ca_key.public_key()
        extra["DG14"] = dg14(public, oid, aa_hash)
    if aa_key is not None:
        extra["DG15"] = dg15(aa_key.public_key())
    if name == "clone":  # the copied files stay genuine; the chip's own keys are not
        ca_key = ec.generate_private_key(ec.BrainpoolP256R1())
        aa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return extra, ChipKeys(ca_key=ca_key, ca_oid=oid, aa_key=aa_key, aa_hash=aa_hash or "sha256")


@dataclass
class SimProfile:
    name: str
    card: EPassportCard
    pki: TestPki
    crl: bytes | None = field(default=None, repr=False)  # DER CRL for the CSCA folder


def pki_for(name: str) -> TestPki:
    """A fresh test PKI of the kind profile `name` needs."""
    kind, digest = PKI_KINDS.get(name, ("ec", "sha256"))
    return make_test_pki(kind=kind, digest=digest)


def make_profile(
    name: str,
    mrz_lines: Sequence[str],
    pki: TestPki | None = None,
    **overrides: Any,
) -> SimProfile:
    """The card for profile `name` personalised with `mrz_lines`. `pki` must be of the
    profile's kind (`pki_for(name)` builds one); `overrides` go to make_card (e.g. a smaller
    face_bytes for `slow`). Raises KeyError for an unknown profile."""
    if name not in PROFILES:
        raise KeyError(f"unknown simulator profile {name!r}; one of: {', '.join(PROFILES)}")
    pki = pki or pki_for(name)
    ca_cipher = str(overrides.pop("ca_cipher", "AES"))
    agreement = str(overrides.pop("ca_agreement", "ECDH"))
    cam_clone = bool(overrides.pop("clone", False))
    keys = None
    if name in AUTH_PROFILES:
        extra, keys = _auth(name, ca_cipher, agreement)
        overrides.setdefault("extra", extra)
        if name == "pace-cam":
            overrides.setdefault("pace", "CAM")
            if cam_clone:
                keys.ca_key = ec.generate_private_key(ec.BrainpoolP256R1())
    args = {**_CARD_ARGS.get(name, dict)(), **overrides}
    card = make_card(mrz_lines, pki, **args)
    card.auth = keys
    crl = pki.crl([pki.ds_cert.serial_number]) if name == "revoked-dsc" else None
    return SimProfile(name, card, pki, crl)
