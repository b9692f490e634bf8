"""DG14 SecurityInfos (Doc 9303-11 section 9.2) for Chip and Active Authentication, and DG15.

DG14 ('6E') is a SET OF SecurityInfo: ChipAuthenticationInfo (which CA protocol and version),
ChipAuthenticationPublicKeyInfo (the chip's static DH/ECDH key as a SubjectPublicKeyInfo) and
ActiveAuthenticationInfo (the signature algorithm of ECDSA Active Authentication). DG15 ('6F')
is the Active Authentication public key (RSA or EC SubjectPublicKeyInfo).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drivers.chip.crypto import CipherName
from drivers.chip.errors import CardProtocolError
from drivers.chip.pace import decode_oid
from drivers.chip.signatures import load_public_key
from drivers.chip.tlv import iter_tlv, tlv, unwrap

ID_CA = "0.4.0.127.0.7.2.2.3"
ID_PK_DH = "0.4.0.127.0.7.2.2.1.1"
ID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
ID_AA = "2.23.136.1.1.5"
CA_PROTOCOLS: dict[str, tuple[str, CipherName]] = {
    ID_CA + ".1.1": ("DH", "3DES"),
    ID_CA + ".1.2": ("DH", "AES"),
    ID_CA + ".2.1": ("ECDH", "3DES"),
    ID_CA + ".2.2": ("ECDH", "AES"),
}
# BSI TR-03111 ecdsa-plain-signatures: the hash of ECDSA Active Authentication
ECDSA_PLAIN = "0.4.0.127.0.7.1.1.4.1"
ECDSA_PLAIN_HASHES = {".1": "sha1", ".2": "sha224", ".3": "sha256", ".4": "sha384", ".5": "sha512"}


@dataclass(frozen=True, slots=True)
class ChipAuthInfo:
    oid: str
    version: int
    key_id: int | None

    @property
    def agreement(self) -> str:
        return CA_PROTOCOLS[self.oid][0]

    @property
    def cipher(self) -> CipherName:
        return CA_PROTOCOLS[self.oid][1]


@dataclass(frozen=True, slots=True)
class ChipAuthKey:
    oid: str  # id-PK-DH or id-PK-ECDH
    spki: bytes = field(repr=False)  # DER SubjectPublicKeyInfo
    key_id: int | None = None

    def public_key(self) -> Any:
        return load_public_key(self.spki)


@dataclass(frozen=True, slots=True)
class Dg14:
    ca: tuple[ChipAuthInfo, ...]
    keys: tuple[ChipAuthKey, ...]
    aa_hash: str | None  # hash of ECDSA Active Authentication (None: not stated)

    def chip_authentication(self) -> tuple[ChipAuthInfo, ChipAuthKey] | None:
        """The CA protocol to run and its key (AES preferred); None when none is usable."""
        infos = sorted(
            (i for i in self.ca if i.oid in CA_PROTOCOLS), key=lambda i: i.cipher != "AES"
        )
        for info in infos:
            want = ID_PK_ECDH if info.agreement == "ECDH" else ID_PK_DH
            for key in self.keys:
                if key.oid == want and (info.key_id is None or key.key_id in (None, info.key_id)):
                    return info, key
        return None


def _int(value: bytes) -> int:
    return int.from_bytes(value, "big")


def parse_dg14(data: bytes) -> Dg14:
    """Raises CardProtocolError when DG14 is not a SET OF SecurityInfo."""
    body = unwrap(data, 0x6E)
    ca: list[ChipAuthInfo] = []
    keys: list[ChipAuthKey] = []
    aa_hash: str | None = None
    items = list(iter_tlv(body))
    if len(items) != 1 or items[0][0] != 0x31:
        raise CardProtocolError("DG14 is not a set of security infos")
    for tag, seq in iter_tlv(items[0][1]):
        if tag != 0x30:
            continue
        parts = list(iter_tlv(seq))
        if not parts or parts[0][0] != 0x06:
            continue
        oid = decode_oid(parts[0][1])
        rest = parts[1:]
        if oid.startswith(ID_CA + "."):
            ints = [_int(v) for t, v in rest if t == 0x02]
            ca.append(ChipAuthInfo(oid, ints[0] if ints else 1, ints[1] if len(ints) > 1 else None))
        elif oid in (ID_PK_DH, ID_PK_ECDH):
            spki = next((tlv(t, v) for t, v in rest if t == 0x30), None)
            key_id = next((_int(v) for t, v in rest if t == 0x02), None)
            if spki is not None:
                keys.append(ChipAuthKey(oid, spki, key_id))
        elif oid == ID_AA:
            alg = next((decode_oid(v) for t, v in rest if t == 0x06), "")
            if alg.startswith(ECDSA_PLAIN + "."):
                aa_hash = ECDSA_PLAIN_HASHES.get(alg[len(ECDSA_PLAIN) :])
    return Dg14(tuple(ca), tuple(keys), aa_hash)


def parse_dg15(data: bytes) -> Any:
    """The Active Authentication public key. Raises CardProtocolError when unusable."""
    try:
        return load_public_key(unwrap(data, 0x6F))
    except ValueError as err:
        raise CardProtocolError("DG15 holds no usable public key") from err
