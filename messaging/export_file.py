"""Signed USB exports: JSON Lines framed by a header and an Ed25519 signature (PyNaCl).

    {"imdms_export": 1, "terminal_id": ..., "border_post": ..., "created_at": ..., "signer": ...}
    <one record per line, sealed to the centre (crossing-v2) as the outbox holds them>
    {"imdms_signature": <base64 Ed25519 signature>}

The signature covers CONTEXT + SHA-512 of every byte before the signature line, so the file is
signed while it is streamed. `verify_export` checks a file and copies it while it reads (the
import then reads the copy: the stick cannot change between check and import). A file without
the header is an unsigned export of an older terminal (the caller decides: accept_unsigned_v1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from messaging.seal import ED25519_PRIVATE, ED25519_PUBLIC, SealError, pem, pem_keys

FORMAT = 1
CONTEXT = b"imdms-export-v1\x00"
REFUSED_HINT = ("nothing was imported; export again from the terminal itself, and hand the "
                "stick over in person")
Trusted = Callable[[str, VerifyKey], bool]


def signing_key_from_pem(text: str) -> SigningKey:
    return SigningKey(pem_keys(text, ED25519_PRIVATE, "Ed25519 private key")[0])


def verify_key_from_pem(text: str) -> VerifyKey:
    return VerifyKey(pem_keys(text, ED25519_PUBLIC, "Ed25519 public key")[0])


def verify_key_pem(key: VerifyKey) -> str:
    return pem(ED25519_PUBLIC, bytes(key), "PUBLIC KEY")


def _line(data: dict[str, Any], sort_keys: bool = True) -> bytes:
    return (json.dumps(data, separators=(",", ":"), sort_keys=sort_keys) + "\n").encode("utf-8")


class ExportWriter:
    """Writes a signed export to an open binary file: header, records, then `finish()`."""

    def __init__(self, out: IO[bytes], key: SigningKey, header: dict[str, Any]) -> None:
        self._out = out
        self._key = key
        self._hash = hashlib.sha512()
        signer = base64.b64encode(bytes(key.verify_key)).decode()
        # imdms_export first: a reader knows a signed file by its first bytes
        self._write(_line({"imdms_export": FORMAT, **header, "signer": signer}, sort_keys=False))

    def _write(self, raw: bytes) -> None:
        self._hash.update(raw)
        self._out.write(raw)

    def write(self, record: dict[str, Any]) -> None:
        self._write(_line(record))

    def finish(self) -> None:
        signature = self._key.sign(CONTEXT + self._hash.digest()).signature
        self._out.write(_line({"imdms_signature": base64.b64encode(signature).decode()}))


def _refuse(message: str) -> SealError:
    return SealError(f"export refused: {message}", REFUSED_HINT)


def verify_export(path: Path, copy: Path, trusted: Trusted) -> dict[str, Any] | None:
    """Check the export at `path`, copying it (0600) to `copy` as it is read.

    Returns the header, or None for an unsigned file (no header line). Raises SealError naming
    the reason: damaged header, no signature (cut short), altered after signing, or signed by a
    key not trusted for the terminal it names (a foreign file). OSError when unreadable."""
    digest = hashlib.sha512()
    header: dict[str, Any] | None = None
    signature: bytes | None = None
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with path.open("rb") as src, os.fdopen(fd, "wb") as out:
        for number, raw in enumerate(src, start=1):
            out.write(raw)
            if signature is not None:
                if raw.strip():
                    raise _refuse("lines follow the signature (the file was altered)")
                continue
            if number == 1:
                if not raw.startswith(b'{"imdms_export":'):
                    shutil.copyfileobj(src, out)  # unsigned (older terminal): caller decides
                    break
                header = _header(raw)
            elif raw.startswith(b'{"imdms_signature":'):
                signature = _signature(raw)
                continue
            digest.update(raw)
        out.flush()
        os.fsync(out.fileno())
    if header is None:
        return None
    if signature is None:
        raise _refuse("the signature line is missing (the file was cut short or altered)")
    signer = VerifyKey(base64.b64decode(header["signer"]))
    try:
        signer.verify(CONTEXT + digest.digest(), signature)
    except BadSignatureError:
        raise _refuse("the signature does not match (the file was altered after export)"
                      ) from None
    if not trusted(header["terminal_id"], signer):
        raise _refuse(f"signed by a key not trusted for terminal {header['terminal_id']} "
                      "(a foreign file; add its key to [seal] terminal_keys_dir if genuine)")
    return header


def _header(raw: bytes) -> dict[str, Any]:
    try:
        header = json.loads(raw)
        if not isinstance(header, dict) or header.get("imdms_export") != FORMAT:
            raise ValueError("format")
        signer = base64.b64decode(header["signer"], validate=True)
        terminal = header["terminal_id"]
        if len(signer) != 32 or not isinstance(terminal, str) or not terminal.isprintable() \
                or not 0 < len(terminal) <= 64:
            raise ValueError("signer")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _refuse("the header line is damaged") from None
    return header


def _signature(raw: bytes) -> bytes:
    try:
        value = json.loads(raw)["imdms_signature"]
        signature = base64.b64decode(value, validate=True)
        if len(signature) != 64:
            raise ValueError("length")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _refuse("the signature line is damaged") from None
    return signature
