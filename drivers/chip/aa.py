"""Active Authentication (Doc 9303-11 section 6.1): the chip signs our 8-byte challenge with the
private key of DG15. RSA uses ISO/IEC 9796-2 digital signature scheme 1 (partial message
recovery, trailer BC = SHA-1 or xxCC naming the hash); ECDSA a plain r||s signature whose hash
DG14's ActiveAuthenticationInfo names.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from drivers.chip.apdu import SW_OK, CommandApdu
from drivers.chip.errors import ChipError
from drivers.chip.signatures import HASHES
from drivers.chip.transport import Channel

log = logging.getLogger(__name__)
PASSED = "passed"
INS_INTERNAL_AUTH = 0x88
# ISO/IEC 10118-3 hash identifiers in a two-byte 9796-2 trailer (xx CC)
TRAILER_HASHES = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
CLONE = "failed: the chip's answer does not verify with its DG15 key (possible clone)"


def verify_9796_2(public_key: rsa.RSAPublicKey, signature: bytes, challenge: bytes) -> bool:
    """ISO/IEC 9796-2 scheme 1 with partial recovery: the recovered M1 and the challenge hash
    to the digest inside the signature."""
    numbers = public_key.public_numbers()
    k = (numbers.n.bit_length() + 7) // 8
    m = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n)
    if m & 0xF != 0xC:  # the representative may be n - m (9796-2 section 8.4)
        m = numbers.n - m
    block = m.to_bytes(k, "big")
    if block[-1] == 0xBC:
        name, trailer = "sha1", 1
    elif block[-1] == 0xCC and block[-2] in TRAILER_HASHES:
        name, trailer = TRAILER_HASHES[block[-2]], 2
    else:
        return False
    hlen = hashlib.new(name).digest_size
    if block[0] != 0x6A or k < hlen + trailer + 2:  # 6A: partial recovery, as eMRTDs sign
        return False
    m1 = block[1 : k - trailer - hlen]
    digest = block[k - trailer - hlen : k - trailer]
    return hashlib.new(name, m1 + challenge).digest() == digest


def _verify_ecdsa(public_key: ec.EllipticCurvePublicKey, sig: bytes, msg: bytes, h: str) -> bool:
    size = (public_key.curve.key_size + 7) // 8
    if len(sig) == 2 * size:
        sig = encode_dss_signature(
            int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big")
        )
    try:
        public_key.verify(sig, msg, ec.ECDSA(HASHES[h]()))
    except (InvalidSignature, ValueError):
        return False
    return True


def active_authenticate(
    channel: Channel,
    public_key: Any,
    aa_hash: str | None,
    *,
    extended: bool = False,
    random: Callable[[int], bytes] = os.urandom,
) -> str:
    """INTERNAL AUTHENTICATE with a fresh challenge; "passed" or "failed: why"."""
    challenge = random(8)
    le = 65536 if extended else 256
    try:
        sig, sw = channel.send(CommandApdu(0x00, INS_INTERNAL_AUTH, 0, 0, challenge, le=le))
    except ChipError as err:
        return f"failed: {err.message}"
    if sw != SW_OK or not sig:
        return f"failed: the chip refused Active Authentication (status {sw:04X})"
    if isinstance(public_key, rsa.RSAPublicKey):
        return PASSED if verify_9796_2(public_key, sig, challenge) else CLONE
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        hashes = [aa_hash] if aa_hash else ["sha256", "sha1", "sha384", "sha512", "sha224"]
        return (
            PASSED if any(_verify_ecdsa(public_key, sig, challenge, h) for h in hashes) else CLONE
        )
    return "not checked: DG15 holds a key type Active Authentication does not use"
