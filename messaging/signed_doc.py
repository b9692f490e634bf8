"""Signed JSON documents from the centre (watchlist, officer directory): Ed25519 (PyNaCl) over
the canonical JSON of the document without its signature, prefixed by a per-kind context so a
signature of one kind can never pass as another.

    {..., "signature": {"key_id": "<16 hex>", "value": "<base64 Ed25519 signature>"}}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey


class SignatureRefused(ValueError):
    """`reason`: unsigned, foreign_key or signature; the message names key ids, never content."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def key_id(key: VerifyKey) -> str:
    return hashlib.blake2b(bytes(key), digest_size=8).hexdigest()


def printable_key_id(value: Any) -> str:
    # the key id comes from the sender: only what a key id may hold reaches a message
    return "".join(c if c in "0123456789abcdef" else "?" for c in str(value)[:16])


def canonical(doc: dict[str, Any], context: bytes) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return context + json.dumps(body, sort_keys=True, separators=(",", ":"),
                                ensure_ascii=True).encode("ascii")


def sign(doc: dict[str, Any], key: SigningKey, context: bytes) -> bytes:
    """The document with its signature, as the bytes to publish."""
    sig = key.sign(canonical(doc, context)).signature
    signed = dict(doc, signature={"key_id": key_id(key.verify_key),
                                  "value": base64.b64encode(sig).decode("ascii")})
    return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode("ascii")


def check_signature(doc: dict[str, Any], keys: Sequence[VerifyKey], context: bytes,
                    what: str) -> None:
    """Raise SignatureRefused unless one of `keys` signed `doc` (`what` names it in messages)."""
    sig = doc.get("signature")
    if not isinstance(sig, dict) or not isinstance(sig.get("value"), str):
        raise SignatureRefused("unsigned", f"{what} refused: it is not signed")
    trusted = {key_id(k): k for k in keys}
    key = trusted.get(str(sig.get("key_id")))
    if key is None:
        raise SignatureRefused("foreign_key", f"{what} refused: signed by another key "
                               f"({printable_key_id(sig.get('key_id'))}, trusted "
                               f"{', '.join(trusted) or 'none'})")
    try:
        key.verify(canonical(doc, context), base64.b64decode(sig["value"], validate=True))
    except (BadSignatureError, binascii.Error, ValueError):
        raise SignatureRefused("signature", f"{what} refused: the signature does not match "
                               "(altered in transit or storage)") from None
