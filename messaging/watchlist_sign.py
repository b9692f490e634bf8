"""Signed watchlist documents: a full list or a delta, Ed25519 over canonical JSON (PyNaCl).

    {"format": "imdms-watchlist/1", "kind": "full", "version": 7,
     "issued_at": "2026-12-03T13:00:00Z", "entries": [<entry>, ...],
     "signature": {"key_id": "<16 hex>", "value": "<base64 Ed25519 signature>"}}

    {"format": "imdms-watchlist/1", "kind": "delta", "version": 7, "base": 6,
     "issued_at": ..., "upsert": [<entry>, ...], "remove": ["<entry id>", ...],
     "signature": {...}}

The signature covers CONTEXT + the document without "signature", dumped with sorted keys and
no spaces (ASCII), so it does not depend on how the broker or a file kept the bytes. `version`
is a monotonic integer set by the centre (central/watchlist/store.py); a delta turns version
`base` into `version` (= base + 1). Keys are the PEM files of messaging/export_file.py
(`openssl genpkey -algorithm ed25519`, `openssl pkey -pubout`); a booth's public key file
may hold several (a key rotation), the signature's key_id picks one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey, VerifyKey

from messaging import signed_doc
from messaging.seal import ED25519_PUBLIC, SealError, pem_keys, read_key_file
from messaging.watchlist_entries import Entry

FORMAT = "imdms-watchlist/1"
CONTEXT = b"imdms-watchlist-v1\x00"
PUBLIC_KEY_FILE = "watchlist.pub"  # beside the list when [watchlist] public_key is unset


class WatchlistRefused(ValueError):
    """A list or delta the booth will not apply. `reason` is a short code (unsigned, signature,
    foreign_key, malformed, stale, base, no_key); the text names versions and fields, never
    entries."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


key_id = signed_doc.key_id


def load_verify_keys(path: Path) -> list[VerifyKey]:
    """Every Ed25519 public key (PEM block) in the file: the centre's current key, and during a
    rotation its next one too. Raises SealError (unreadable, no Ed25519 key)."""
    text = read_key_file(Path(path))
    return [VerifyKey(raw) for raw in pem_keys(text, ED25519_PUBLIC, "Ed25519 public key")]


def canonical(doc: dict[str, Any]) -> bytes:
    return signed_doc.canonical(doc, CONTEXT)


def full_document(version: int, entries: Iterable[Entry], issued_at: str) -> dict[str, Any]:
    return {"format": FORMAT, "kind": "full", "version": version, "issued_at": issued_at,
            "entries": [e.to_dict() for e in entries]}


def delta_document(base: int, version: int, upsert: Iterable[Entry], remove: Iterable[str],
                   issued_at: str) -> dict[str, Any]:
    return {"format": FORMAT, "kind": "delta", "version": version, "base": base,
            "issued_at": issued_at, "upsert": [e.to_dict() for e in upsert],
            "remove": sorted(remove)}


def sign(doc: dict[str, Any], key: SigningKey) -> bytes:
    """The document with its signature, as the bytes to publish."""
    return signed_doc.sign(doc, key, CONTEXT)


def verify(payload: bytes, keys: VerifyKey | Sequence[VerifyKey]) -> dict[str, Any]:
    """The document of a signed payload, checked against the centre's key(s).

    Raises WatchlistRefused: not JSON or not a watchlist document (malformed), no signature
    (unsigned), signed by another key (foreign_key) or not matching its signature (signature).
    """
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WatchlistRefused("malformed", "watchlist refused: not JSON") from None
    if not isinstance(doc, dict):
        raise WatchlistRefused("malformed", "watchlist refused: not a JSON object")
    try:
        signed_doc.check_signature(doc, [keys] if isinstance(keys, VerifyKey) else keys,
                                   CONTEXT, "watchlist")
    except signed_doc.SignatureRefused as err:
        raise WatchlistRefused(err.reason, err.message) from None
    if doc.get("format") != FORMAT or doc.get("kind") not in ("full", "delta"):
        raise WatchlistRefused("malformed", "watchlist refused: unknown format or kind")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WatchlistRefused("malformed", "watchlist refused: version is not a positive "
                               "integer")
    return doc


def trusted_keys(list_path: Path, configured: Path | None = None) -> list[VerifyKey]:
    """The keys to verify with: `configured` ([watchlist] public_key) or watchlist.pub beside
    the list. Raises WatchlistRefused (reason "no_key") when it is missing or unreadable:
    without a key nothing is applied."""
    path = Path(configured) if configured else Path(list_path).parent / PUBLIC_KEY_FILE
    try:
        return load_verify_keys(path)
    except SealError as err:
        raise WatchlistRefused("no_key", f"watchlist refused: no usable public key at {path} "
                               f"({err.message}); install the centre's watchlist.pub") from err

