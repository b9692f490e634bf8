"""Chip Authentication version 1 (Doc 9303-11 section 6.2): the chip proves it holds the private
key of DG14's static key by continuing secure messaging with keys from a fresh key agreement.

ECDH and DH; AES (MSE:Set AT + General Authenticate) and 3DES (MSE:Set KAT), as JMRTD sends
them. Secure messaging restarts with the new keys and SSC 0. Proof is implicit: the caller's
next protected READ BINARY must verify under the new keys (`prove`); a chip that copied DG14
from another passport cannot (a possible clone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import dh, ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from drivers.chip import crypto
from drivers.chip.apdu import INS_GENERAL_AUTH, INS_MSE, SW_OK, CommandApdu
from drivers.chip.dg14 import ChipAuthInfo, ChipAuthKey
from drivers.chip.errors import ChipError
from drivers.chip.pace import encode_oid
from drivers.chip.sm import SecureMessaging
from drivers.chip.tlv import tlv
from drivers.chip.transport import Channel

log = logging.getLogger(__name__)
PASSED = "passed"


def key_agreement(chip_key: Any) -> tuple[bytes, bytes]:
    """(our ephemeral public key as sent to the chip, shared secret K) on the chip key's
    domain parameters. Raises ValueError for a key type CA does not use."""
    if isinstance(chip_key, ec.EllipticCurvePublicKey):
        eph = ec.generate_private_key(chip_key.curve)
        public = eph.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return public, eph.exchange(ec.ECDH(), chip_key)
    if isinstance(chip_key, dh.DHPublicKey):
        eph_dh = chip_key.parameters().generate_private_key()
        size = (chip_key.key_size + 7) // 8
        public = eph_dh.public_key().public_numbers().y.to_bytes(size, "big")
        return public, eph_dh.exchange(chip_key).rjust(size, b"\0")
    raise ValueError("the DG14 key is neither DH nor ECDH")


def chip_authenticate(
    channel: Channel,
    info: ChipAuthInfo,
    key: ChipAuthKey,
    prove: Callable[[], None],
) -> dict[str, str]:
    """Run CA in the current SM session. Steps: key_agreement (the chip accepted our key),
    chip_proof (`prove()` - one protected READ BINARY - verified under the new keys)."""
    try:
        public, secret = key_agreement(key.public_key())
    except ValueError as err:
        return {"key_agreement": f"not checked: {err}", "chip_proof": "not checked"}
    cipher = info.cipher
    kid = tlv(0x84, bytes([info.key_id])) if info.key_id is not None else b""
    try:
        if cipher == "3DES":
            _d, sw = channel.send(CommandApdu(0x00, INS_MSE, 0x41, 0xA6, tlv(0x91, public) + kid))
        else:
            mse = tlv(0x80, encode_oid(info.oid)) + kid
            _d, sw = channel.send(CommandApdu(0x00, INS_MSE, 0x41, 0xA4, mse))
            if sw == SW_OK:
                ga = tlv(0x7C, tlv(0x80, public))
                _d, sw = channel.send(CommandApdu(0x00, INS_GENERAL_AUTH, 0, 0, ga, le=256))
    except ChipError as err:
        return {"key_agreement": f"failed: {err.message}", "chip_proof": "not checked"}
    if sw != SW_OK:
        return {
            "key_agreement": f"failed: the chip refused chip authentication (status {sw:04X})",
            "chip_proof": "not checked",
        }
    channel.sm = SecureMessaging(
        crypto.kdf(secret, crypto.KDF_ENC, cipher),
        crypto.kdf(secret, crypto.KDF_MAC, cipher),
        0,
        cipher,
    )
    try:
        prove()
    except ChipError as err:
        log.info("chip authentication: no valid answer under the new keys (%s)", err.kind)
        return {
            "key_agreement": PASSED,
            "chip_proof": "failed: the chip could not continue secure messaging with the "
            "keys of its DG14 key (possible clone)",
        }
    return {"key_agreement": PASSED, "chip_proof": PASSED}
