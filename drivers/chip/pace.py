"""PACE with generic mapping over ECDH (Doc 9303-11 section 4.4), password = MRZ or CAN.

Supported: id-PACE-ECDH-GM-3DES, -AES-CBC-CMAC-128 and id-PACE-ECDH-CAM-AES-CBC-CMAC-128 (Chip
Authentication Mapping: the last answer carries the encrypted CA data, DO'8A', that proves the
chip's static key; see drivers.chip.authenticity) on brainpoolP256r1 (id 13) and secp256r1
(id 12). EF.CardAccess is read first; a chip that lists none of these is read with BAC.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.chip import crypto
from drivers.chip.apdu import INS_GENERAL_AUTH, INS_MSE, SW_AUTH_FAILED, SW_OK, CommandApdu
from drivers.chip.bac import AccessKey
from drivers.chip.crypto import CipherName
from drivers.chip.dh import DH_GROUPS, DhGroup
from drivers.chip.ec import CURVES, Curve
from drivers.chip.errors import CardProtocolError, StatusWordError, WrongKeysError
from drivers.chip.sm import SecureMessaging
from drivers.chip.tlv import find, iter_tlv, read_header, tlv
from drivers.chip.transport import Channel

ID_PACE = "0.4.0.127.0.7.2.2.4"
PACE_PROTOCOLS: dict[str, tuple[CipherName, int]] = {
    ID_PACE + ".2.1": ("3DES", 128),  # ECDH-GM-3DES-CBC-CBC
    ID_PACE + ".2.2": ("AES", 128),  # ECDH-GM-AES-CBC-CMAC-128
    ID_PACE + ".6.2": ("AES", 128),  # ECDH-CAM-AES-CBC-CMAC-128
    ID_PACE + ".1.1": ("3DES", 128),  # DH-GM-3DES-CBC-CBC
    ID_PACE + ".1.2": ("AES", 128),  # DH-GM-AES-CBC-CMAC-128
}
DH_OIDS = frozenset({ID_PACE + ".1.1", ID_PACE + ".1.2"})
CAM_OIDS = frozenset({ID_PACE + ".6.2"})


@dataclass(frozen=True, slots=True)
class CamData:
    """What PACE-CAM leaves for the chip-authentication check: the chip's mapping public key
    PK_Map,IC and the decrypted CA_IC (= SK_IC^-1 * SK_Map,IC mod n)."""

    pk_map_ic: bytes
    ca_ic: int
    parameter_id: int


def encode_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([parts[0] * 40 + parts[1]])
    for v in parts[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(data: bytes) -> str:
    parts = [data[0] // 40, data[0] % 40]
    v = 0
    for b in data[1:]:
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(v)
            v = 0
    return ".".join(str(p) for p in parts)


@dataclass(frozen=True, slots=True)
class PaceInfo:
    oid: str
    version: int
    parameter_id: int | None

    @property
    def dh(self) -> bool:
        return self.oid in DH_OIDS

    @property
    def supported(self) -> bool:
        groups = DH_GROUPS if self.dh else CURVES
        return self.oid in PACE_PROTOCOLS and self.parameter_id in groups

    @property
    def cam(self) -> bool:
        return self.oid in CAM_OIDS

    def describe(self) -> str:
        cipher = PACE_PROTOCOLS.get(self.oid, ("?", 0))[0]
        groups: dict[int, Any] = DH_GROUPS if self.dh else CURVES
        group = groups[self.parameter_id].name if self.parameter_id in groups else "?"
        kind = "DH-GM" if self.dh else ("ECDH-CAM" if self.cam else "ECDH-GM")
        return f"{kind} {cipher} {group}"


def parse_card_access(data: bytes) -> list[PaceInfo]:
    """PACEInfo entries of EF.CardAccess (a SET OF SecurityInfo). Unknown entries are skipped."""
    infos: list[PaceInfo] = []
    tag, length, offset = read_header(data)
    if tag != 0x31:
        raise CardProtocolError("EF.CardAccess is not a SET of SecurityInfos")
    for t, seq in iter_tlv(data[offset : offset + length]):
        if t != 0x30:
            continue
        items = list(iter_tlv(seq))
        if not items or items[0][0] != 0x06:
            continue
        oid = decode_oid(items[0][1])
        if not oid.startswith(ID_PACE + "."):
            continue
        ints = [int.from_bytes(v, "big") for tg, v in items[1:] if tg == 0x02]
        infos.append(PaceInfo(oid, ints[0] if ints else 0, ints[1] if len(ints) > 1 else None))
    return infos


def choose(infos: list[PaceInfo]) -> PaceInfo | None:
    """Prefer CAM (it replaces a separate Chip Authentication), then AES over 3DES."""
    usable = [i for i in infos if i.supported]
    usable.sort(key=lambda i: (not i.cam, PACE_PROTOCOLS[i.oid][0] != "AES"))
    return usable[0] if usable else None


def _ga(channel: Channel, tag: int, value: bytes, last: bool, what: str) -> bytes:
    data = tlv(0x7C, tlv(tag, value) if tag else b"")
    resp, sw = channel.send(
        CommandApdu(0x00 if last else 0x10, INS_GENERAL_AUTH, 0, 0, data, le=256)
    )
    if sw in (SW_AUTH_FAILED, 0x6988) or (sw & 0xFFF0) == 0x63C0:
        raise WrongKeysError(sw=sw)
    if sw != SW_OK:
        raise StatusWordError(f"PACE {what} failed", sw)
    try:
        inner = find(resp, 0x7C)
    except CardProtocolError:
        inner = None
    if inner is None:
        raise CardProtocolError(f"PACE {what}: malformed chip answer")
    return inner


def _value(inner: bytes, tag: int, what: str) -> bytes:
    v = find(inner, tag)
    if v is None:
        raise CardProtocolError(f"PACE {what}: the chip's answer lacks tag {tag:02X}")
    return v


def auth_token(cipher: CipherName, ks_mac: bytes, oid: str, public_point: bytes) -> bytes:
    """T = MAC(KS_mac, 7F49{06 oid, 86 public point}); DH public values go in DO'84'."""
    tag = 0x84 if oid in DH_OIDS else 0x86
    data = tlv(0x7F49, tlv(0x06, encode_oid(oid)) + tlv(tag, public_point))
    return crypto.mac(cipher, ks_mac, data)


def decrypt_nonce(cipher: CipherName, k_pi: bytes, z: bytes) -> bytes:
    if cipher == "3DES":
        return crypto.tdes_cbc_decrypt(k_pi, z)
    return crypto.aes_cbc_decrypt(k_pi, z)


def cam_iv(ks_enc: bytes) -> bytes:
    """IV = E(KS_enc, -1): the all-ones block encrypted (Doc 9303-11 4.4.3.5)."""
    return crypto.aes_ecb_encrypt(ks_enc, b"\xff" * 16)


def decrypt_cam(ks_enc: bytes, a_ic: bytes) -> int:
    """CA_IC from A_IC (AES-CBC, IV = E(KS_enc, -1), ISO 9797-1 padding 2)."""
    try:
        return int.from_bytes(crypto.unpad(crypto.aes_cbc_decrypt(ks_enc, a_ic, cam_iv(ks_enc))))
    except ValueError as err:
        raise CardProtocolError("PACE-CAM: the chip authentication data did not decrypt") from err


def _ec_agreement(
    channel: Channel, curve: Curve | None, s: int, pick: Callable[[Any], int]
) -> tuple[bytes, bytes, bytes, bytes]:
    """Generic mapping G~ = s*G + sk_map*PK_Map,IC, then ECDH on G~. Returns (chip mapping
    key, chip ephemeral key, our ephemeral key, shared secret). Raises ValueError."""
    if curve is None:
        raise ValueError("unknown curve")
    sk_map = pick(curve)
    pk_map = curve.encode(curve.mul_g(sk_map))
    chip_map = _value(_ga(channel, 0x81, pk_map, False, "mapping"), 0x82, "mapping")
    h = curve.mul(sk_map, curve.decode(chip_map))
    g_new = curve.add(curve.mul_g(s), h)
    if g_new is None:
        raise ValueError("mapped generator at infinity")
    sk_eph = pick(curve)
    pk_eph_pt = curve.mul(sk_eph, g_new)
    pk_eph = curve.encode(pk_eph_pt)
    chip_eph = _value(_ga(channel, 0x83, pk_eph, False, "key agreement"), 0x84, "agreement")
    chip_eph_pt = curve.decode(chip_eph)
    if chip_eph_pt == pk_eph_pt:
        raise ValueError("chip reflected our key")
    return chip_map, chip_eph, pk_eph, curve.shared_x(sk_eph, chip_eph_pt)


def _dh_agreement(
    channel: Channel, group: DhGroup, s: int, pick: Callable[[Any], int]
) -> tuple[bytes, bytes, bytes, bytes]:
    """Generic mapping g~ = g^s * PK_Map,IC^sk_map mod p, then DH on g~ (same returns)."""
    sk_map = pick(group)
    pk_map = group.encode(pow(group.g, sk_map, group.p))
    chip_map = _value(_ga(channel, 0x81, pk_map, False, "mapping"), 0x82, "mapping")
    g_new = group.map_generator(s, sk_map, group.decode(chip_map))
    sk_eph = pick(group)
    pk_eph = group.encode(pow(g_new, sk_eph, group.p))
    chip_eph = _value(_ga(channel, 0x83, pk_eph, False, "key agreement"), 0x84, "agreement")
    if chip_eph == pk_eph:
        raise ValueError("chip reflected our key")
    y = int.from_bytes(chip_eph, "big")
    if not 1 < y < group.p - 1:
        raise ValueError("DH public value outside the group")
    return chip_map, chip_eph, pk_eph, group.shared(sk_eph, y)


def authenticate(
    channel: Channel,
    keys: AccessKey,
    info: PaceInfo,
    *,
    random_scalar: Callable[[Any], int] | None = None,
    with_parameter_id: bool = False,
    cam_out: list[CamData] | None = None,
) -> SecureMessaging:
    """Run PACE-GM-ECDH on a plain channel; set and return the session's SecureMessaging.

    Raises WrongKeysError when the chip refuses the MRZ password or its token does not verify.
    """
    cipher, bits = PACE_PROTOCOLS[info.oid]
    curve = CURVES.get(info.parameter_id or 0)
    pick = random_scalar or (lambda c: secrets.randbelow(c.n - 1) + 1)
    k_pi = crypto.kdf(keys.k_seed_source(), crypto.KDF_PACE, cipher, bits)
    mse = tlv(0x80, encode_oid(info.oid)) + tlv(0x83, bytes([keys.password_ref]))
    if with_parameter_id and info.parameter_id is not None:  # needed when several are listed
        mse += tlv(0x84, bytes([info.parameter_id]))
    _data, sw = channel.send(CommandApdu(0x00, INS_MSE, 0xC1, 0xA4, mse))
    if sw != SW_OK:
        raise StatusWordError("PACE set-up (MSE:Set AT) failed", sw)
    z = _value(_ga(channel, 0, b"", False, "nonce"), 0x80, "nonce")
    s = int.from_bytes(decrypt_nonce(cipher, k_pi, z), "big")
    try:
        if info.dh:
            chip_map, chip_eph, pk_eph, k = _dh_agreement(
                channel, DH_GROUPS[info.parameter_id or 0], s, pick
            )
        else:
            chip_map, chip_eph, pk_eph, k = _ec_agreement(channel, curve, s, pick)
    except ValueError as err:
        raise CardProtocolError("PACE: the chip sent an invalid public key") from err
    ks_enc = crypto.kdf(k, crypto.KDF_ENC, cipher, bits)
    ks_mac = crypto.kdf(k, crypto.KDF_MAC, cipher, bits)
    t_ifd = auth_token(cipher, ks_mac, info.oid, chip_eph)
    inner = _ga(channel, 0x85, t_ifd, True, "mutual authentication")
    t_ic = _value(inner, 0x86, "mutual authentication")
    if t_ic != auth_token(cipher, ks_mac, info.oid, pk_eph):
        raise WrongKeysError("the chip's PACE token did not verify")
    if info.cam and cam_out is not None:
        a_ic = find(inner, 0x8A)
        if a_ic is None:
            raise CardProtocolError("PACE-CAM: the chip's answer lacks its authentication data")
        cam_out.append(CamData(chip_map, decrypt_cam(ks_enc, a_ic), info.parameter_id or 0))
    sm = SecureMessaging(ks_enc, ks_mac, 0, cipher)
    channel.sm = sm
    return sm
