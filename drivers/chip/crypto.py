"""Block-cipher helpers for BAC, PACE and secure messaging (ICAO Doc 9303 Part 11, section 9).

3DES (two-key, CBC, retail MAC ISO 9797-1 algorithm 3) and AES (CBC, CMAC truncated to 8 bytes).
"""

from __future__ import annotations

import hashlib
from typing import Literal

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

CipherName = Literal["3DES", "AES"]

KDF_ENC = 1
KDF_MAC = 2
KDF_PACE = 3


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2 (80 00..)."""
    out = data + b"\x80"
    return out + b"\x00" * (-len(out) % block)


def unpad(data: bytes) -> bytes:
    i = data.rstrip(b"\x00")
    if not i.endswith(b"\x80"):
        raise ValueError("bad padding")
    return i[:-1]


def adjust_parity(key: bytes) -> bytes:
    """DES keys: odd parity in the low bit of each byte."""
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") + 1) % 2)
    return bytes(out)


def kdf(secret: bytes, counter: int, cipher: CipherName, key_bits: int = 128) -> bytes:
    """Doc 9303-11 9.7.1: H(secret || counter32). 3DES: SHA-1, 16 bytes with parity."""
    if cipher == "3DES":
        return adjust_parity(hashlib.sha1(secret + counter.to_bytes(4, "big")).digest()[:16])
    digest = hashlib.sha1 if key_bits == 128 else hashlib.sha256
    return digest(secret + counter.to_bytes(4, "big")).digest()[: key_bits // 8]


def _tdes(key: bytes) -> TripleDES:
    return TripleDES(key + key[:8] if len(key) == 16 else key)


def tdes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    enc = Cipher(_tdes(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def tdes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    dec = Cipher(_tdes(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO 9797-1 MAC algorithm 3 over already padded `data` (multiple of 8 bytes)."""
    k1, k2 = key[:8], key[8:16]
    h = bytes(8)
    if len(data) > 8:
        h = tdes_cbc_encrypt(k1 * 2, data[:-8])[-8:]  # K1||K1: single DES
    last = bytes(a ^ b for a, b in zip(h, data[-8:], strict=True))
    ecb = Cipher(_tdes(k1 + k2), modes.ECB()).encryptor()
    return ecb.update(last) + ecb.finalize()


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    c = CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()[:8]


def block_size(cipher: CipherName) -> int:
    return 8 if cipher == "3DES" else 16


def mac(cipher: CipherName, key: bytes, data: bytes) -> bytes:
    """The 8-byte MAC of `data` (padded here) as used by SM and PACE tokens."""
    if cipher == "3DES":
        return retail_mac(key, pad(data, 8))
    return aes_cmac(key, data)


def sm_mac(cipher: CipherName, key: bytes, data: bytes) -> bytes:
    """Secure-messaging MAC: input padded by ISO 9797-1 method 2 for both ciphers."""
    if cipher == "3DES":
        return retail_mac(key, pad(data, 8))
    return aes_cmac(key, pad(data, 16))
