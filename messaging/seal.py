"""Records sealed to the centre: the personal part of a crossing is encrypted to the centre's
X25519 public key (libsodium sealed box, PyNaCl) before the record touches the booth's disk.

The wire form is crossing-v2 (records/schema/crossing-v2.json): every CLEAR_FIELDS key in
clear, and `sealed = {"kid": <key id>, "box": <base64 sealed box>}`. The box holds a JSON object
of every other field plus the record_id (so a sealed part moved onto another record is refused).
CLEAR_FIELDS is an allow-list: a field added to CrossingRecord is sealed until listed here.

Keys are PEM files as `openssl genpkey -algorithm X25519` writes them (docs/security.md); the key
id is the first 8 bytes of BLAKE2b(public key), hex, so the centre can hold several private keys
(rotation) and pick the right one. Errors name fields and key ids, never values.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from imdms.errors import ImdmsError
from records.sealed_fields import CLEAR_FIELDS, SEALED_FIELDS, SEALED_VERSION

_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")
# DER prefixes of RFC 8410 keys: SubjectPublicKeyInfo and PKCS#8 (the 32 key bytes follow)
X25519_PUBLIC = bytes.fromhex("302a300506032b656e032100")
X25519_PRIVATE = bytes.fromhex("302e020100300506032b656e04220420")
ED25519_PUBLIC = bytes.fromhex("302a300506032b6570032100")
ED25519_PRIVATE = bytes.fromhex("302e020100300506032b657004220420")
KEY_HINT = ("give the PEM file made by `openssl genpkey -algorithm X25519` (private) or "
            "`openssl pkey -pubout` (public); see docs/security.md")


class SealError(ImdmsError):
    """A key cannot be read, or a sealed part cannot be opened (unknown key, damaged)."""


def pem_keys(text: str, prefix: bytes, what: str) -> list[bytes]:
    """The raw 32-byte keys of every PEM block in `text` whose DER starts with `prefix`."""
    keys = []
    for _label, body in _PEM.findall(text):
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        if der.startswith(prefix) and len(der) == len(prefix) + 32:
            keys.append(der[len(prefix):])
    if not keys:
        raise SealError(f"no {what} found in the key file", KEY_HINT)
    return keys


def pem(der_prefix: bytes, raw: bytes, label: str) -> str:
    """A PEM block (what openssl writes) for a raw key."""
    body = base64.b64encode(der_prefix + raw).decode()
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def key_id(public: PublicKey) -> str:
    return hashlib.blake2b(bytes(public), digest_size=8).hexdigest()


def read_key_file(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or err.__class__.__name__
        raise SealError(f"key file {path} cannot be read: {why}", KEY_HINT) from err


def new_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh X25519 pair: for the demo and tests."""
    key = PrivateKey.generate()
    return (pem(X25519_PRIVATE, bytes(key), "PRIVATE KEY"),
            pem(X25519_PUBLIC, bytes(key.public_key), "PUBLIC KEY"))


class Sealer:
    """Seals crossing-v1 dicts to one centre public key (the booth's side)."""

    def __init__(self, public: PublicKey) -> None:
        self.public = public
        self.kid = key_id(public)
        self._box = SealedBox(public)

    @classmethod
    def from_pem(cls, text: str) -> Sealer:
        return cls(PublicKey(pem_keys(text, X25519_PUBLIC, "X25519 public key")[0]))

    @classmethod
    def from_file(cls, path: Path) -> Sealer:
        return cls.from_pem(read_key_file(path))

    def seal_bytes(self, plain: bytes) -> dict[str, str]:
        return {"kid": self.kid, "box": base64.b64encode(self._box.encrypt(plain)).decode()}

    def seal_record(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """crossing-v1 dict (validated) -> crossing-v2 dict. An already sealed one is returned
        as is."""
        if is_sealed(data):
            return dict(data)
        secret = {name: data.get(name) for name in SEALED_FIELDS}
        secret["record_id"] = data["record_id"]
        out = {name: data[name] for name in CLEAR_FIELDS if name in data}
        out["schema_version"] = SEALED_VERSION
        # UTF-8, not \u escapes: a sealed record stays within [outbox] max_record_bytes
        plain = json.dumps(secret, separators=(",", ":"), sort_keys=True, allow_nan=False,
                           ensure_ascii=False)
        out["sealed"] = self.seal_bytes(plain.encode("utf-8"))
        return out


class Opener:
    """Opens sealed parts with any of the centre's private keys (newest and older ones)."""

    def __init__(self, keys: Iterable[PrivateKey]) -> None:
        self._boxes = {key_id(k.public_key): SealedBox(k) for k in keys}

    @classmethod
    def from_pem(cls, text: str) -> Opener:
        """Every X25519 private key in the text (one credential may hold several PEM blocks)."""
        return cls(PrivateKey(raw) for raw in pem_keys(text, X25519_PRIVATE,
                                                        "X25519 private key"))

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._boxes)

    def open_bytes(self, sealed: object) -> bytes:
        if not isinstance(sealed, Mapping) or not isinstance(sealed.get("kid"), str) \
                or not isinstance(sealed.get("box"), str):
            raise SealError("sealed: not an object with kid and box",
                            "the record is damaged; it is kept for a technician")
        kid = sealed["kid"]
        box = self._boxes.get(kid)
        if box is None:
            shown = kid if re.fullmatch(r"[0-9a-f]{16}", kid) else "(malformed)"
            raise SealError(f"sealed to key {shown}, which this centre does not hold",
                            "add that private key to the collector's credential (key rotation "
                            "keeps old keys); the record is kept")
        try:
            return box.decrypt(base64.b64decode(sealed["box"], validate=True))
        except (CryptoError, binascii.Error, ValueError) as err:
            raise SealError("sealed part cannot be opened (damaged or altered)",
                            "the record is kept for a technician") from err

    def open_record(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """crossing-v2 dict -> the crossing-v1 dict that was sealed. Raises SealError."""
        try:
            secret = json.loads(self.open_bytes(data.get("sealed")))
        except (ValueError, UnicodeDecodeError) as err:
            raise SealError("sealed part is not JSON", "the record is kept") from err
        if not isinstance(secret, dict) or secret.get("record_id") != data.get("record_id"):
            raise SealError("sealed part belongs to another record",
                            "the record was altered on the way; it is kept for a technician")
        out = {k: v for k, v in data.items() if k != "sealed"}
        for name in SEALED_FIELDS:
            if name in secret:
                out[name] = secret[name]
        out["schema_version"] = 1
        return out


def is_sealed(data: Mapping[str, Any]) -> bool:
    return data.get("schema_version") == SEALED_VERSION and "sealed" in data
