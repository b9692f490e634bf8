"""The simulated eMRTD chip: APDU in, APDU out. Enforces BAC/PACE and secure messaging.

Faults are injected through `CardFaults`; `CardLost` is raised when the card "leaves the field"
(the vpcd client then drops its connection, which pcscd reports as a removed card).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from drivers.chip import crypto
from drivers.chip.apdu import CommandApdu, parse_command
from drivers.chip.bac import MrzKeys, derive_keys
from drivers.chip.crypto import CipherName
from drivers.chip.dh import DH_GROUPS
from drivers.chip.ec import CURVES
from drivers.chip.pace import (
    CAM_OIDS,
    DH_OIDS,
    PACE_PROTOCOLS,
    auth_token,
    encode_oid,
    parse_card_access,
)
from drivers.chip.tlv import find, iter_tlv, tlv
from tools.epassport_sim import chip_auth
from tools.epassport_sim.chip_auth import ChipKeys

AID = bytes.fromhex("A0000002471001")
SFI_NAMES = {
    0x1E: "COM",
    0x01: "DG1",
    0x02: "DG2",
    0x1D: "SOD",
    0x1C: "CardAccess",
    0x0E: "DG14",
    0x0F: "DG15",
}
FID_NAMES = {0x0100 | sfi: name for sfi, name in SFI_NAMES.items()}


class CardLost(Exception):
    """The card left the field (fault injection)."""


@dataclass
class CardFaults:
    """Faults to inject. Counts are of protected (SM) responses since power-on."""

    bad_mac_on_response: int | None = None  # corrupt the MAC of this SM response (1-based)
    lose_in_file: str | None = None  # e.g. "DG2": leave the field while reading it...
    lose_at_offset: int = 4096  # ...when a READ BINARY starts at or past this offset
    lose_times: int = 1  # how many times to leave (then reads succeed)
    bac_refused: bool = False  # PACE-only chip: BAC refused with `bac_refused_sw`
    bac_refused_sw: int = 0x6A88  # 6A88 or 6982, as PACE-only chips answer GET CHALLENGE
    fail_ins: tuple[int, int] | None = None  # (INS, SW): answer every such command with SW
    no_short_file_ids: bool = False  # READ BINARY by SFI refused (SELECT by id needed)...
    sfi_refusal_sw: int = 0x6A86  # ...with this status word (6A82 on some real chips)
    # extended APDUs refused only under secure messaging, with a bare 6700 the chip does not
    # count in its send sequence counter (gmrtd #457)
    extended_desync: bool = False
    exact_le_sw: bool = False  # refuse a too-long Le with 6Cxx (xx = max_le) instead of 6700
    sfi_ignored: bool = False  # READ BINARY by SFI answers 9000 from the current EF (or empty)
    bac_needs_aid: bool = False  # GET CHALLENGE refused (6985) until the eMRTD AID is selected
    seconds_per_kb: float = 0.0  # slow chip: delay before each answer, per KB of data sent


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


@dataclass
class _Session:
    cipher: CipherName
    ks_enc: bytes
    ks_mac: bytes
    ssc: int

    @property
    def block(self) -> int:
        return crypto.block_size(self.cipher)

    def ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def iv(self) -> bytes:
        if self.cipher == "3DES":
            return bytes(8)
        return crypto.aes_ecb_encrypt(self.ks_enc, self.ssc_bytes())

    def mac(self, data: bytes) -> bytes:
        return crypto.sm_mac(self.cipher, self.ks_mac, self.ssc_bytes() + data)

    def encrypt(self, data: bytes) -> bytes:
        padded = crypto.pad(data, self.block)
        if self.cipher == "3DES":
            return crypto.tdes_cbc_encrypt(self.ks_enc, padded)
        return crypto.aes_cbc_encrypt(self.ks_enc, padded, self.iv())

    def decrypt(self, data: bytes) -> bytes:
        if self.cipher == "3DES":
            return crypto.unpad(crypto.tdes_cbc_decrypt(self.ks_enc, data))
        return crypto.unpad(crypto.aes_cbc_decrypt(self.ks_enc, data, self.iv()))


@dataclass
class EPassportCard:
    """`files` maps COM/DG1/DG2/SOD (and CardAccess for PACE) to their bytes; `keys` are the
    MRZ keys the chip was personalised with. `max_le` is the largest Le it accepts;
    `extended` whether it accepts extended-length APDUs at all."""

    files: dict[str, bytes]
    keys: MrzKeys
    max_le: int = 65536
    extended: bool = True
    faults: CardFaults = field(default_factory=CardFaults)
    apdus: int = 0
    bytes_served: dict[str, int] = field(default_factory=dict)  # file -> bytes sent, all sessions
    _sm: _Session | None = None
    _app: bool = False
    _ef: str | None = None
    _rnd_ic: bytes | None = None
    _pace: dict[str, object] = field(default_factory=dict)
    _responses: int = 0
    can: str | None = None  # the card access number printed on the card (PACE password 2)
    auth: ChipKeys | None = None  # Chip/Active Authentication keys (None: neither offered)
    next_sm: _Session | None = None  # CA keys, in force after the current answer

    def reset(self) -> None:
        """Power cycle: all session state is lost (files and faults stay)."""
        self._sm, self._app, self._ef, self._rnd_ic = None, False, None, None
        self._pace = {}
        self._responses = 0
        self.next_sm = None

    # ---- entry point -------------------------------------------------------------------
    def process(self, raw: bytes) -> bytes:
        self.apdus += 1
        try:
            cmd = parse_command(raw)
        except ValueError:
            return _sw(0x6700)
        desync = self.faults.extended_desync
        if cmd.is_extended and not self.extended and not (desync and not cmd.cla & 0x0C):
            if cmd.cla & 0x0C and self._sm is not None and not desync:
                self._sm.ssc += 2  # the terminal counted this exchange
            return _sw(0x6700)
        if cmd.cla & 0x0C:
            return self._protected(cmd)
        if self._sm is not None and cmd.ins not in (0xA4,):
            self.reset()  # a plain command ends secure messaging
        data, sw = self._dispatch(cmd, protected=False)
        return data + _sw(sw)

    def _protected(self, cmd: CommandApdu) -> bytes:
        sm = self._sm
        if sm is None:
            return _sw(0x6987)
        sm.ssc += 1
        objs = dict(iter_tlv(cmd.data))
        mac_input = crypto.pad(bytes([cmd.cla, cmd.ins, cmd.p1, cmd.p2]), sm.block)
        for tag, value in iter_tlv(cmd.data):
            if tag in (0x85, 0x87, 0x97):
                mac_input += tlv(tag, value)
        if objs.get(0x8E) != sm.mac(mac_input):
            self.reset()
            return _sw(0x6988)
        if 0x87 in objs:
            data = sm.decrypt(objs[0x87][1:])
        elif 0x85 in objs:
            data = sm.decrypt(objs[0x85])
        else:
            data = b""
        le = None
        if 0x97 in objs:
            le = int.from_bytes(objs[0x97], "big") or (65536 if len(objs[0x97]) == 2 else 256)
        inner = CommandApdu(
            cmd.cla & ~0x0C & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le, extended=cmd.is_extended
        )
        out, sw = self._dispatch(inner, protected=True)
        sm.ssc += 1
        self._responses += 1
        if not out:
            body = b""
        elif cmd.ins & 1:  # odd INS: BER-TLV data in DO'85', no padding indicator
            body = tlv(0x85, sm.encrypt(out))
        else:
            body = tlv(0x87, b"\x01" + sm.encrypt(out))
        body += tlv(0x99, _sw(sw))
        mac_tag = sm.mac(body)
        if self._responses == self.faults.bad_mac_on_response:
            mac_tag = bytes([mac_tag[0] ^ 0xFF]) + mac_tag[1:]
        if self.next_sm is not None:  # Chip Authentication: answer with the old keys, then switch
            self._sm, self.next_sm = self.next_sm, None
        return body + tlv(0x8E, mac_tag) + _sw(sw if sw != 0x6282 else 0x9000)

    # ---- commands ----------------------------------------------------------------------
    def _dispatch(self, cmd: CommandApdu, protected: bool) -> tuple[bytes, int]:
        if self.faults.fail_ins is not None and cmd.ins == self.faults.fail_ins[0]:
            return b"", self.faults.fail_ins[1]
        if protected and cmd.ins == 0x22 and cmd.p1 == 0x41:
            return chip_auth.mse(self, cmd.p2, cmd.data)
        if protected and cmd.ins == 0x86:
            return chip_auth.general_authenticate(self, cmd.data)
        if protected and cmd.ins == 0x88:
            return chip_auth.internal_authenticate(self, cmd.data)
        if cmd.ins == 0xA4:
            return self._select(cmd)
        if cmd.ins == 0xB0:
            return self._read_binary(cmd, protected)
        if cmd.ins == 0xB1:
            return self._read_binary_odd(cmd, protected)
        if cmd.ins == 0x84 and not protected:
            if self.faults.bac_refused:
                return b"", self.faults.bac_refused_sw
            if self.faults.bac_needs_aid and not self._app:
                return b"", 0x6985
            self._rnd_ic = os.urandom(8)
            return self._rnd_ic, 0x9000
        if cmd.ins == 0x82 and not protected:
            return self._external_authenticate(cmd)
        if cmd.ins == 0x22 and not protected:
            return self._mse(cmd)
        if cmd.ins == 0x86 and not protected:
            return self._general_authenticate(cmd)
        return b"", 0x6D00

    def _select(self, cmd: CommandApdu) -> tuple[bytes, int]:
        if cmd.p1 == 0x00 and cmd.data in (b"", b"\x3f\x00"):  # the MF, both forms
            self._app, self._ef = False, None
            return b"", 0x9000
        if cmd.p1 == 0x04:
            if cmd.data != AID:
                return b"", 0x6A82
            self._app, self._ef = True, None
            return b"", 0x9000
        if cmd.p1 == 0x02 and len(cmd.data) == 2:
            name = FID_NAMES.get(int.from_bytes(cmd.data, "big"))
            if name is None or name not in self.files:
                return b"", 0x6A82
            if self._sm is None and name != "CardAccess":
                return b"", 0x6982
            self._ef = name
            return b"", 0x9000
        return b"", 0x6A86

    def _read_binary(self, cmd: CommandApdu, protected: bool) -> tuple[bytes, int]:
        if cmd.p1 & 0x80 and self.faults.sfi_ignored:  # reads the current EF, whatever P1 says
            if self._ef is None:
                return b"", 0x9000
            return self._read_at(self._ef, cmd.p2, cmd.le or 256, protected)
        if cmd.p1 & 0x80:
            if self.faults.no_short_file_ids:
                return b"", self.faults.sfi_refusal_sw
            name = SFI_NAMES.get(cmd.p1 & 0x1F)
            if name is None or name not in self.files:
                return b"", 0x6A82
            offset = cmd.p2
        else:
            name = self._ef
            offset = (cmd.p1 << 8) | cmd.p2
            if name is None:
                return b"", 0x6986
        self._ef = name
        return self._read_at(name, offset, cmd.le or 256, protected)

    def _read_at(self, name: str, offset: int, le: int, protected: bool) -> tuple[bytes, int]:
        if name != "CardAccess" and not (protected and self._app):
            return b"", 0x6982
        if le > self.max_le:  # 6700, or 6Cxx naming the length the chip will send
            exact = self.faults.exact_le_sw and self.max_le < 256
            return b"", (0x6C00 | self.max_le) if exact else 0x6700
        f = self.faults
        if f.lose_in_file == name and f.lose_times > 0 and offset >= f.lose_at_offset:
            f.lose_times -= 1
            raise CardLost(name)
        content = self.files[name]
        if offset > len(content):
            return b"", 0x6B00
        chunk = content[offset : offset + le]
        self.bytes_served[name] = self.bytes_served.get(name, 0) + len(chunk)
        if f.seconds_per_kb:
            time.sleep(f.seconds_per_kb * len(chunk) / 1024)
        return chunk, 0x9000

    def _read_binary_odd(self, cmd: CommandApdu, protected: bool) -> tuple[bytes, int]:
        offset_bytes = find(cmd.data, 0x54)
        if offset_bytes is None or (cmd.p1, cmd.p2) != (0, 0) or self._ef is None:
            return b"", 0x6A86
        offset = int.from_bytes(offset_bytes, "big")
        le = cmd.le or 256
        inner = CommandApdu(0, 0xB0, 0, 0, le=max(1, le - 4))
        chunk, sw = self._read_at(self._ef, offset, inner.le or 1, protected)
        return (tlv(0x53, chunk) if sw == 0x9000 else b""), sw

    # ---- BAC ---------------------------------------------------------------------------
    def _external_authenticate(self, cmd: CommandApdu) -> tuple[bytes, int]:
        if self.faults.bac_refused:
            return b"", self.faults.bac_refused_sw
        if self._rnd_ic is None or len(cmd.data) != 40:
            return b"", 0x6985
        k_enc, k_mac = derive_keys(self.keys)
        e_ifd, m_ifd = cmd.data[:32], cmd.data[32:]
        if crypto.retail_mac(k_mac, crypto.pad(e_ifd, 8)) != m_ifd:
            return b"", 0x6300
        s = crypto.tdes_cbc_decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic, k_ifd = s[:8], s[8:16], s[16:]
        if rnd_ic != self._rnd_ic:
            return b"", 0x6300
        k_ic = os.urandom(16)
        e_ic = crypto.tdes_cbc_encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        m_ic = crypto.retail_mac(k_mac, crypto.pad(e_ic, 8))
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self._sm = _Session(
            "3DES",
            crypto.kdf(seed, 1, "3DES"),
            crypto.kdf(seed, 2, "3DES"),
            int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big"),
        )
        self._rnd_ic = None
        return e_ic + m_ic, 0x9000

    # ---- PACE --------------------------------------------------------------------------
    def _mse(self, cmd: CommandApdu) -> tuple[bytes, int]:
        if cmd.p1 != 0xC1 or cmd.p2 != 0xA4 or "CardAccess" not in self.files:
            return b"", 0x6A86
        infos = parse_card_access(self.files["CardAccess"])
        oid = find(cmd.data, 0x80)
        pid = find(cmd.data, 0x84)
        if pid is None and len(infos) > 1:
            return b"", 0x6A80  # several parameter sets: the terminal must say which
        info = next(
            (
                i
                for i in infos
                if encode_oid(i.oid) == oid and (pid is None or pid == bytes([i.parameter_id or 0]))
            ),
            None,
        )
        ref = find(cmd.data, 0x83)
        if info is None or ref not in (b"\x01", b"\x02") or (ref == b"\x02" and not self.can):
            return b"", 0x6A80
        self._pace = {"info": info, "step": 1, "password": ref}
        return b"", 0x9000

    def _general_authenticate(self, cmd: CommandApdu) -> tuple[bytes, int]:
        st = self._pace
        if not st:
            return b"", 0x6985
        info = st["info"]
        cipher, bits = PACE_PROTOCOLS[info.oid]  # type: ignore[attr-defined]
        dh = info.oid in DH_OIDS  # type: ignore[attr-defined]
        curve: Any = (DH_GROUPS if dh else CURVES)[info.parameter_id]  # type: ignore[attr-defined]
        body = find(cmd.data, 0x7C)
        if body is None:
            return b"", 0x6A80
        step = st["step"]
        try:
            if step == 1:
                password = (
                    self.keys.k_seed_source()
                    if st["password"] == b"\x01"
                    else str(self.can).encode("ascii")
                )
                k_pi = crypto.kdf(password, 3, cipher, bits)
                s = secrets.token_bytes(16 if cipher == "AES" else 8)
                st["s"] = int.from_bytes(s, "big")
                z = (
                    crypto.aes_cbc_encrypt(k_pi, s)
                    if cipher == "AES"
                    else crypto.tdes_cbc_encrypt(k_pi, s)
                )
                st["step"] = 2
                return tlv(0x7C, tlv(0x80, z)), 0x9000
            if step == 2:
                pk_t = curve.decode(find(body, 0x81) or b"")
                sk = secrets.randbelow(curve.n - 1) + 1
                st["sk_map"] = sk
                st["step"] = 3
                if dh:
                    st["g"] = curve.map_generator(st["s"], sk, pk_t)
                    return tlv(0x7C, tlv(0x82, curve.encode(pow(curve.g, sk, curve.p)))), 0x9000
                h = curve.mul(sk, pk_t)
                st["g"] = curve.add(curve.mul_g(st["s"]), h)
                return tlv(0x7C, tlv(0x82, curve.encode(curve.mul_g(sk)))), 0x9000
            if step == 3:
                pk_t_raw = find(body, 0x83) or b""
                sk = secrets.randbelow(curve.n - 1) + 1
                if dh:
                    pk_t_int = int.from_bytes(pk_t_raw, "big")
                    pk_c = curve.encode(pow(st["g"], sk, curve.p))  # type: ignore[call-overload]
                    k = curve.shared(sk, pk_t_int)
                else:
                    pk_c = curve.encode(curve.mul(sk, st["g"]))
                    k = curve.shared_x(sk, curve.decode(pk_t_raw))
                st.update(
                    step=4,
                    pk_t=pk_t_raw,
                    pk_c=pk_c,
                    ks_enc=crypto.kdf(k, 1, cipher, bits),
                    ks_mac=crypto.kdf(k, 2, cipher, bits),
                )
                return tlv(0x7C, tlv(0x84, pk_c)), 0x9000
            if step == 4:
                ks_mac = st["ks_mac"]
                expect = auth_token(cipher, ks_mac, info.oid, st["pk_c"])  # type: ignore
                if find(body, 0x85) != expect:
                    self._pace = {}
                    return b"", 0x6300
                t_ic = auth_token(cipher, ks_mac, info.oid, st["pk_t"])  # type: ignore
                self._sm = _Session(cipher, st["ks_enc"], ks_mac, 0)  # type: ignore[arg-type]
                self._pace = {}
                out = tlv(0x86, t_ic)
                if info.oid in CAM_OIDS:  # type: ignore[attr-defined]
                    out += chip_auth.cam_data(self, curve, st["ks_enc"], st["sk_map"])  # type: ignore[arg-type]
                return tlv(0x7C, out), 0x9000
        except ValueError:
            self._pace = {}
            return b"", 0x6A80
        return b"", 0x6985
