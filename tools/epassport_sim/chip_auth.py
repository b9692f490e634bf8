"""The chip side of Chip Authentication v1 and Active Authentication, and DG14/DG15.

`ChipKeys` holds the chip's private keys; DG14/DG15 carry the public keys the issuer put there.
A clone is a chip whose private keys do not match the (genuine, signed) DG14/DG15 it carries.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import core, keys
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from drivers.chip import crypto
from drivers.chip.dg14 import CA_PROTOCOLS, ECDSA_PLAIN, ID_AA, ID_PK_DH, ID_PK_ECDH
from drivers.chip.dh import DhGroup
from drivers.chip.pace import decode_oid, encode_oid
from drivers.chip.signatures import HASHES
from drivers.chip.tlv import find, tlv

if TYPE_CHECKING:
    from tools.epassport_sim.card import EPassportCard

CA_ECDH_AES = "0.4.0.127.0.7.2.2.3.2.2"
CA_ECDH_3DES = "0.4.0.127.0.7.2.2.3.2.1"
CA_DH_AES = "0.4.0.127.0.7.2.2.3.1.2"
CA_DH_3DES = "0.4.0.127.0.7.2.2.3.1.1"
_PLAIN_SUFFIX = {"sha1": ".1", "sha224": ".2", "sha256": ".3", "sha384": ".4", "sha512": ".5"}


@dataclass
class ChipKeys:
    """The chip's private keys; `ca_oid` the CA protocol it runs, `aa_hash` its ECDSA hash."""

    ca_key: Any = field(default=None, repr=False)
    ca_oid: str = CA_ECDH_AES
    aa_key: Any = field(default=None, repr=False)
    aa_hash: str = "sha256"
    _ca_oid_set: str | None = None


def spki(public_key: Any) -> bytes:
    return bytes(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


@dataclass(frozen=True)
class DhPrivateKey:
    """A finite-field DH key in a DhGroup (the chip side of DH Chip Authentication)."""

    group: DhGroup
    x: int = field(repr=False)

    def public_spki(self) -> bytes:
        g = self.group
        info = keys.PublicKeyInfo(
            {
                "algorithm": {"algorithm": "dh", "parameters": {"p": g.p, "g": g.g, "q": g.n}},
                "public_key": core.Integer(pow(g.g, self.x, g.p)),
            }
        )
        return bytes(info.dump())


def dg14(ca_public: Any | None, ca_oid: str, aa_ecdsa_hash: str | None) -> bytes:
    """DG14: ChipAuthenticationInfo + ChipAuthenticationPublicKeyInfo (when `ca_public`: an
    EC public key, or a DhPrivateKey whose public half goes in), and ActiveAuthenticationInfo
    (when ECDSA AA)."""
    infos = b""
    if ca_public is not None:
        infos += tlv(0x30, tlv(0x06, encode_oid(ca_oid)) + tlv(0x02, b"\x01"))
        if isinstance(ca_public, DhPrivateKey):
            pk_info = tlv(0x06, encode_oid(ID_PK_DH)) + ca_public.public_spki()
        else:
            pk_info = tlv(0x06, encode_oid(ID_PK_ECDH)) + spki(ca_public)
        infos += tlv(0x30, pk_info)
    if aa_ecdsa_hash is not None:
        alg = ECDSA_PLAIN + _PLAIN_SUFFIX[aa_ecdsa_hash]
        infos += tlv(
            0x30, tlv(0x06, encode_oid(ID_AA)) + tlv(0x02, b"\x01") + tlv(0x06, encode_oid(alg))
        )
    return tlv(0x6E, tlv(0x31, infos))


def dg15(aa_public: Any) -> bytes:
    return tlv(0x6F, spki(aa_public))


def _session(card: EPassportCard, cipher: Any, pk: bytes) -> tuple[bytes, int]:
    """New SM keys from ECDH with the terminal's ephemeral key; they apply after this answer."""
    from tools.epassport_sim.card import _Session

    key = card.auth.ca_key if card.auth is not None else None
    if key is None:
        return b"", 0x6D00
    try:
        if isinstance(key, DhPrivateKey):
            secret = key.group.shared(key.x, key.group.decode(pk))
        else:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, pk)
            secret = key.exchange(ec.ECDH(), peer)
    except ValueError:
        return b"", 0x6A80
    card.next_sm = _Session(cipher, crypto.kdf(secret, 1, cipher), crypto.kdf(secret, 2, cipher), 0)
    return b"", 0x9000


def mse(card: EPassportCard, p2: int, data: bytes) -> tuple[bytes, int]:
    auth = card.auth
    if auth is None or auth.ca_key is None:
        return b"", 0x6A88
    if p2 == 0xA6:  # MSE:Set KAT (3DES): the key is in DO'91'
        pk = find(data, 0x91)
        if pk is None or auth.ca_oid not in CA_PROTOCOLS or CA_PROTOCOLS[auth.ca_oid][1] != "3DES":
            return b"", 0x6A80
        return _session(card, "3DES", pk)
    if p2 == 0xA4:  # MSE:Set AT (AES): then General Authenticate
        oid = find(data, 0x80)
        if oid is None or decode_oid(oid) != auth.ca_oid:
            return b"", 0x6A80
        auth._ca_oid_set = auth.ca_oid
        return b"", 0x9000
    return b"", 0x6A86


def general_authenticate(card: EPassportCard, data: bytes) -> tuple[bytes, int]:
    auth = card.auth
    if auth is None or auth._ca_oid_set is None:
        return b"", 0x6985
    body = find(data, 0x7C)
    pk = find(body, 0x80) if body is not None else None
    if pk is None:
        return b"", 0x6A80
    auth._ca_oid_set = None
    _d, sw = _session(card, CA_PROTOCOLS[auth.ca_oid][1], pk)
    return (tlv(0x7C, b"") if sw == 0x9000 else b""), sw


def internal_authenticate(card: EPassportCard, challenge: bytes) -> tuple[bytes, int]:
    key = card.auth.aa_key if card.auth is not None else None
    if key is None:
        return b"", 0x6D00
    if len(challenge) != 8:
        return b"", 0x6700
    if isinstance(key, rsa.RSAPrivateKey):  # ISO/IEC 9796-2 scheme 1, SHA-1, trailer BC
        numbers = key.private_numbers()
        n = numbers.public_numbers.n
        k = (n.bit_length() + 7) // 8
        m1 = os.urandom(k - 22)
        block = b"\x6a" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\xbc"
        s = pow(int.from_bytes(block, "big"), numbers.d, n)
        return s.to_bytes(k, "big"), 0x9000
    assert card.auth is not None
    der = key.sign(challenge, ec.ECDSA(HASHES[card.auth.aa_hash]()))
    r, s_ = decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s_.to_bytes(size, "big"), 0x9000


def cam_data(card: EPassportCard, curve: Any, ks_enc: bytes, sk_map: int) -> bytes:
    """DO'8A' of PACE-CAM: A_IC = E(KS_enc, SK_IC^-1 * SK_Map,IC mod n), IV = E(KS_enc, -1)."""
    from drivers.chip.pace import cam_iv

    key = card.auth.ca_key if card.auth is not None else None
    if key is None:
        return b""
    sk_ic = key.private_numbers().private_value
    ca_ic = pow(sk_ic, -1, curve.n) * sk_map % curve.n
    plain = ca_ic.to_bytes(curve.size, "big")
    return tlv(0x8A, crypto.aes_cbc_encrypt(ks_enc, crypto.pad(plain, 16), cam_iv(ks_enc)))
