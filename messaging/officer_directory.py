"""The signed officer directory: who may sign in at any booth, published by the centre.

    {"format": "imdms-officers/1", "version": 7, "issued_at": "2026-12-03T13:00:00+00:00",
     "officers": [{"id": "msu-017", "pin_hash": "scrypt$...", "roles": ["officer"]}],
     "revoked": [{"id": "msu-009", "revoked_at": "..."}],
     "signature": {"key_id": "<16 hex>", "value": "<base64 Ed25519 signature>"}}

The centre signs (central/directory/officers.py) CONTEXT + the document without "signature" as
sorted, compact ASCII JSON, and publishes it retained on `<prefix>/officers`. A booth applies
it only when it verifies against one of the centre's keys (a PEM file may hold several: a key
rotation) and its version is newer than the one held; the payload is stored as received (0600)
so every later load verifies it again. `pin_hash` is terminal/officers.hash_pin's format. An id
in `revoked` is refused at sign-in even when the booth's own officers file lists it. Messages
name versions and key ids, never officers' PIN verifiers.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey, VerifyKey

from config.models import Config
from messaging import signed_doc
from messaging.seal import ED25519_PUBLIC, SealError, pem_keys, read_key_file

log = logging.getLogger(__name__)

FORMAT = "imdms-officers/1"
CONTEXT = b"imdms-officer-directory-v1\x00"
ROLES = ("officer", "supervisor")


class DirectoryRefused(ValueError):
    """A directory the booth will not apply. `reason`: unsigned, foreign_key, signature,
    malformed, stale or no_key."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DirectoryOfficer:
    officer_id: str
    pin_hash: str = field(repr=False)
    roles: tuple[str, ...] = ("officer",)


@dataclass(frozen=True, slots=True)
class Directory:
    version: int
    issued_at: str
    officers: dict[str, DirectoryOfficer]
    revoked: frozenset[str]

    def allows(self, officer_id: str) -> bool:
        return officer_id not in self.revoked


key_id = signed_doc.key_id


def load_verify_keys(path: Path) -> list[VerifyKey]:
    """Every Ed25519 public key in the PEM file. Raises DirectoryRefused (no_key)."""
    try:
        text = read_key_file(Path(path))
        return [VerifyKey(raw) for raw in pem_keys(text, ED25519_PUBLIC, "Ed25519 public key")]
    except SealError as err:
        raise DirectoryRefused("no_key", f"officer directory: no usable public key at {path} "
                               f"({err.message}); install the centre's directory.pub") from err


def canonical(doc: dict[str, Any]) -> bytes:
    return signed_doc.canonical(doc, CONTEXT)


def document(version: int, officers: Iterable[DirectoryOfficer], revoked: dict[str, str],
             issued_at: str) -> dict[str, Any]:
    """The unsigned document; `revoked` maps officer id -> revoked_at."""
    return {"format": FORMAT, "version": version, "issued_at": issued_at,
            "officers": [{"id": o.officer_id, "pin_hash": o.pin_hash, "roles": list(o.roles)}
                         for o in sorted(officers, key=lambda o: o.officer_id)],
            "revoked": [{"id": oid, "revoked_at": at} for oid, at in sorted(revoked.items())]}


def sign(doc: dict[str, Any], key: SigningKey) -> bytes:
    """The document with its signature, as the bytes to publish."""
    return signed_doc.sign(doc, key, CONTEXT)


def verify(payload: bytes, keys: Sequence[VerifyKey]) -> Directory:
    """The directory in a signed payload. Raises DirectoryRefused (malformed, unsigned,
    foreign_key, signature)."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DirectoryRefused("malformed", "officer directory refused: not JSON") from None
    if not isinstance(doc, dict):
        raise DirectoryRefused("malformed", "officer directory refused: not a JSON object")
    try:
        signed_doc.check_signature(doc, keys, CONTEXT, "officer directory")
    except signed_doc.SignatureRefused as err:
        raise DirectoryRefused(err.reason, err.message) from None
    return _parse(doc)


def _parse(doc: dict[str, Any]) -> Directory:
    def bad(why: str) -> DirectoryRefused:
        return DirectoryRefused("malformed", f"officer directory refused: {why}")

    version = doc.get("version")
    if doc.get("format") != FORMAT:
        raise bad("unknown format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("version is not a positive integer")
    officers: dict[str, DirectoryOfficer] = {}
    for n, item in enumerate(doc.get("officers") or []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) \
                or not isinstance(item.get("pin_hash"), str):
            raise bad(f"officer entry {n} has no id or pin_hash")
        roles = item.get("roles") or ["officer"]
        if not isinstance(roles, list) or not all(r in ROLES for r in roles):
            raise bad(f"officer entry {n} has an unknown role")
        officers[item["id"]] = DirectoryOfficer(item["id"], item["pin_hash"], tuple(roles))
    revoked = set()
    for n, item in enumerate(doc.get("revoked") or []):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise bad(f"revocation {n} has no id")
        revoked.add(item["id"])
    return Directory(version, str(doc.get("issued_at", "")), officers, frozenset(revoked))


def load_applied(path: Path, keys: Sequence[VerifyKey]) -> Directory | None:
    """The directory stored at `path`, verified again; None when there is none yet.
    Raises DirectoryRefused when the stored file does not verify (edited on disk)."""
    try:
        payload = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    return verify(payload, keys)


def apply_payload(path: Path, payload: bytes, keys: Sequence[VerifyKey]) -> Directory | None:
    """Verify a published directory and store it (atomic, mode 0600) when it is newer than the
    one held. Returns the new directory, or None when it is the very version already held (the
    retained copy arrives again on every reconnect). Raises DirectoryRefused (stale: an older
    version, or the held version with other content); the held directory is kept."""
    new = verify(payload, keys)
    try:
        held = load_applied(path, keys)
    except DirectoryRefused:
        held = None  # a damaged local copy is replaced by any valid newer-than-nothing one
    if held is not None and new.version <= held.version:
        if new.version == held.version and Path(path).read_bytes() == payload:
            return None
        raise DirectoryRefused("stale", f"officer directory refused: version {new.version} "
                               f"is not newer than the held version {held.version}")
    target = Path(path)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".officer-directory-")  # 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return new


def booth_directory(config: Config) -> tuple[Path, list[VerifyKey]] | None:
    """(applied file, centre keys) of this booth; None when [directory] public_key is unset
    (no directory is applied). Raises DirectoryRefused (no_key) when the key file is unusable."""
    if config.directory.public_key is None:
        return None
    return config.directory_path(), load_verify_keys(config.directory.public_key)


def handle_update(config: Config, payload: bytes) -> Directory | None:
    """What the forwarder runs for each message on `<prefix>/officers`: apply it, log the
    outcome (versions and reasons only), never raise. Returns the directory applied, if any."""
    if not payload:
        return None
    try:
        found = booth_directory(config)
        if found is None:
            log.warning("officer directory received but [directory] public_key is unset: "
                        "not applied")
            return None
        new = apply_payload(found[0], payload, found[1])
    except DirectoryRefused as err:
        log.warning("%s; keeping the held directory", err)
        return None
    except OSError as err:
        log.warning("officer directory not stored (%s)", err.__class__.__name__)
        return None
    if new is not None:
        log.info("officer directory version %d applied (%d officers, %d revoked)",
                 new.version, len(new.officers), len(new.revoked))
    return new


class RevocationWatch:
    """Signs an officer out as soon as the applied directory revokes them.

    The booth registers `on_revoked(officer_id)` and calls `check(signed_in)` every few
    seconds (a Textual set_interval): the forwarder applies directories in its own process, so
    the booth notices by the file changing (one stat per call; the file is re-verified only
    when its mtime or size changed)."""

    def __init__(self, path: Path, keys: Sequence[VerifyKey],
                 on_revoked: Callable[[str], None]) -> None:
        self.path = Path(path)
        self.keys = list(keys)
        self.on_revoked = on_revoked
        self._seen: tuple[int, int] | None = None
        self._revoked: frozenset[str] = frozenset()

    def check(self, signed_in: str | None) -> bool:
        """True (and on_revoked called) when `signed_in` is revoked in the applied directory."""
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._seen:
            self._seen = stamp
            try:
                found = load_applied(self.path, self.keys) if stamp else None
            except DirectoryRefused:
                found = None  # keep what was known: a damaged file revokes nobody new
            if found is not None:
                self._revoked = found.revoked
        if signed_in is not None and signed_in in self._revoked:
            self.on_revoked(signed_in)
            return True
        return False
