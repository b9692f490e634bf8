"""Chip Authentication version 1 (Doc 9303-11 section 6.2): the chip proves it holds the private
key of DG14's static key by continuing secure messaging with keys from a fresh key agreement.

ECDH and DH; AES (MSE:Set AT + General Authenticate) and 3DES (MSE:Set KAT), as JMRTD sends
them. Secure messaging restarts with the new keys and SSC 0. Proof is implicit: the caller's
next protected READ BINARY must verify under the new keys (`prove`); a chip that copied DG14
from another passport cannot (a possible clone).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from asn1crypto import keys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from drivers.chip import crypto
from drivers.chip.apdu import INS_GENERAL_AUTH, INS_MSE, SW_OK, CommandApdu
from drivers.chip.dg14 import ID_PK_DH, ChipAuthInfo, ChipAuthKey
from drivers.chip.dh import DhGroup
from drivers.chip.errors import ChipError
from drivers.chip.pace import encode_oid
from drivers.chip.sm import SecureMessaging
from drivers.chip.tlv import tlv
from drivers.chip.transport import Channel

log = logging.getLogger(__name__)
PASSED = "passed"


def dh_public_key(spki: bytes) -> tuple[DhGroup, int]:
    """An X9.42 DH SubjectPublicKeyInfo as (group, y), parsed with asn1crypto (cryptography's
    finite-field DH is deprecated). Raises ValueError."""
    try:
        info = keys.PublicKeyInfo.load(spki)
        params = info["algorithm"]["parameters"]
        group = DhGroup("DG14", params["p"].native, params["g"].native, params["q"].native)
        y = int(info["public_key"].parsed.native)
    except (ValueError, TypeError, KeyError) as err:
        raise ValueError("the DG14 DH key cannot be parsed") from err
    return group, group.decode(group.encode(y))


def key_agreement(chip_key: ChipAuthKey) -> tuple[bytes, bytes]:
    """(our ephemeral public key as sent to the chip, shared secret K) on the chip key's
    domain parameters. Raises ValueError for a key CA cannot use."""
    if chip_key.oid == ID_PK_DH:
        group, y = dh_public_key(chip_key.spki)
        x = secrets.randbelow(group.n - 1) + 1
        return group.encode(pow(group.g, x, group.p)), group.shared(x, y)
    public_key = chip_key.public_key()
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        eph = ec.generate_private_key(public_key.curve)
        public = eph.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return public, eph.exchange(ec.ECDH(), public_key)
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
        public, secret = key_agreement(key)
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
