"""Secure messaging (Doc 9303-11 section 9.8): DO'87' data, DO'97' Le, DO'99' status, DO'8E' MAC.

One `SecureMessaging` per session; it owns the send-sequence counter (SSC), incremented once for
each command and once for each response. Responses whose MAC fails raise SecureMessagingError.
"""

from __future__ import annotations

from drivers.chip import crypto
from drivers.chip.apdu import CommandApdu, encode_le
from drivers.chip.crypto import CipherName
from drivers.chip.errors import SecureMessagingError
from drivers.chip.tlv import iter_tlv, tlv


class SecureMessaging:
    """Wraps commands and unwraps responses. `ssc` is the initial counter (BAC: from the nonces;
    PACE: 0)."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: int, cipher: CipherName) -> None:
        self.ks_enc = ks_enc
        self.ks_mac = ks_mac
        self.ssc = ssc
        self.cipher: CipherName = cipher
        self.block = crypto.block_size(cipher)
        self.last_plain = False  # the last answer was a bare status word (no SM objects)

    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def _encrypt(self, data: bytes) -> bytes:
        if self.cipher == "3DES":
            return crypto.tdes_cbc_encrypt(self.ks_enc, crypto.pad(data, 8))
        iv = crypto.aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())
        return crypto.aes_cbc_encrypt(self.ks_enc, crypto.pad(data, 16), iv)

    def _decrypt(self, data: bytes) -> bytes:
        if self.cipher == "3DES":
            plain = crypto.tdes_cbc_decrypt(self.ks_enc, data)
        else:
            iv = crypto.aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())
            plain = crypto.aes_cbc_decrypt(self.ks_enc, data, iv)
        return crypto.unpad(plain)

    def _mac(self, data: bytes) -> bytes:
        return crypto.sm_mac(self.cipher, self.ks_mac, self._ssc_bytes() + data)

    def wrap(self, apdu: CommandApdu) -> CommandApdu:
        """The protected form of `apdu` (CLA | 0x0C). Increments the SSC."""
        self.ssc += 1
        cla = apdu.cla | 0x0C
        header = bytes([cla, apdu.ins, apdu.p1, apdu.p2])
        body = b""
        if apdu.data:  # odd INS (B1...) carry BER-TLV data: DO'85', no padding indicator
            if apdu.ins & 1:
                body += tlv(0x85, self._encrypt(apdu.data))
            else:
                body += tlv(0x87, b"\x01" + self._encrypt(apdu.data))
        extended = apdu.is_extended
        if apdu.le is not None:
            body += tlv(0x97, encode_le(apdu.le, extended))
        mac_input = crypto.pad(header, self.block) + body
        body += tlv(0x8E, self._mac(mac_input))
        le = 65536 if extended else 256
        return CommandApdu(cla, apdu.ins, apdu.p1, apdu.p2, body, le, extended=extended)

    def unwrap(self, data: bytes, sw: int) -> tuple[bytes, int]:
        """Check and decrypt a protected response. Increments the SSC.

        A bare status word with no data (the chip refused the command outright) is returned as is.
        """
        self.ssc += 1
        self.last_plain = not data
        if not data:
            return b"", sw
        do87 = do99 = do8e = None
        indicator = False
        mac_input = b""
        for tag, value in iter_tlv(data):
            if tag in (0x85, 0x87):
                do87, indicator = value, tag == 0x87
                mac_input += tlv(tag, value)
            elif tag == 0x99:
                do99 = value
                mac_input += tlv(tag, value)
            elif tag == 0x8E:
                do8e = value
        if do8e is None or do99 is None:
            raise SecureMessagingError("the chip's response lacks its MAC or status", sw=sw)
        if self._mac(mac_input) != do8e:
            raise SecureMessagingError("the chip's response failed its MAC check", sw=sw)
        inner_sw = int.from_bytes(do99, "big")
        plain = b""
        if do87:
            try:
                plain = self._decrypt(do87[1:] if indicator else do87)
            except ValueError as err:
                raise SecureMessagingError("the chip's response did not decrypt", sw=sw) from err
        return plain, inner_sw
