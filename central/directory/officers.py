"""The centre's officer directory: kept in one JSON file (mode 0600, it holds PIN verifiers),
signed with the centre's Ed25519 key and published retained on `<prefix>/officers`.

    {"version": 4, "officers": {"msu-017": {"pin_hash": "...", "roles": ["officer"],
     "added_at": "..."}}, "revoked": {"msu-009": "<revoked_at>"}, "published": "<payload>"}

`publish` makes version N+1 only when the content (or the signing key) changed since the last
published one, and
saves it before sending, so a failed send is simply repeated (same version, same bytes).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from imdms.errors import ConfigError
from messaging.officer_directory import ROLES, DirectoryOfficer, document, key_id, sign
from records.clock import utc_now_iso


@dataclass(slots=True)
class DirectoryState:
    version: int = 0
    officers: dict[str, dict[str, Any]] = field(default_factory=dict)
    revoked: dict[str, str] = field(default_factory=dict)
    published: str = ""  # the signed payload of `version` (ASCII JSON)

    def content(self) -> dict[str, Any]:
        return {"officers": self.officers, "revoked": self.revoked}


class DirectoryStore:
    """Add, revoke and publish officers at the centre."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> DirectoryState:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return DirectoryState()
        except (OSError, ValueError) as err:
            raise ConfigError(f"officer directory {self.path} cannot be read "
                              f"({err.__class__.__name__})",
                              "run as the central service user; restore it from backup") from err
        return DirectoryState(int(data.get("version", 0)), dict(data.get("officers", {})),
                              dict(data.get("revoked", {})), str(data.get("published", "")))

    def save(self, state: DirectoryState) -> None:
        text = json.dumps({"version": state.version, "officers": state.officers,
                           "revoked": state.revoked, "published": state.published},
                          indent=1, sort_keys=True)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".officers-")  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def add(self, officer_id: str, pin_hash: str, roles: tuple[str, ...] = ("officer",),
            *, now: str | None = None) -> None:
        """Add or change an officer (a revoked id is reinstated). Takes effect at publish."""
        if not all(r in ROLES for r in roles):
            raise ConfigError(f"unknown role in {', '.join(roles)}",
                              f"roles are {', '.join(ROLES)}")
        state = self.load()
        state.officers[officer_id] = {"pin_hash": pin_hash, "roles": list(roles),
                                      "added_at": now or utc_now_iso()}
        state.revoked.pop(officer_id, None)
        self.save(state)

    def revoke(self, officer_id: str, *, now: str | None = None) -> bool:
        """Revoke an officer (known or not: a booth-local id can be revoked too). False when
        already revoked."""
        state = self.load()
        if officer_id in state.revoked:
            return False
        state.officers.pop(officer_id, None)
        state.revoked[officer_id] = now or utc_now_iso()
        self.save(state)
        return True

    def publish(self, key: SigningKey, *, now: str | None = None) -> tuple[int, bytes]:
        """(version, signed payload) to send: a new version when the content or the signing key
        (a rotation) changed since the last published one, else the last one again."""
        state = self.load()
        if state.published:
            last = json.loads(state.published)
            same_key = last.get("signature", {}).get("key_id") == key_id(key.verify_key)
            if same_key and _content_of(last) == _content_of(self._doc(state, state.version,
                                                                       "")):
                return state.version, state.published.encode("ascii")
        version = state.version + 1
        payload = sign(self._doc(state, version, now or utc_now_iso()), key)
        state.version, state.published = version, payload.decode("ascii")
        self.save(state)
        return version, payload

    @staticmethod
    def _doc(state: DirectoryState, version: int, issued_at: str) -> dict[str, Any]:
        officers = [DirectoryOfficer(oid, e["pin_hash"], tuple(e.get("roles", ["officer"])))
                    for oid, e in state.officers.items()]
        return document(version, officers, state.revoked, issued_at)


def _content_of(doc: dict[str, Any]) -> tuple[Any, Any]:
    return doc.get("officers"), doc.get("revoked")
