"""Officer ids and hashed PINs, kept in one TOML file (mode 0600). No textual import here:
`imdms officer` uses this module too.

A PIN is never stored: only scrypt(PIN, salt) with the parameters, so the cost can be raised
later without invalidating old entries. Verification is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nacl.signing import VerifyKey

from imdms.errors import ConfigError
from messaging.officer_directory import Directory, DirectoryRefused, load_applied
from terminal.i18n import _

log = logging.getLogger(__name__)

OFFICER_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
PIN = re.compile(r"^[0-9]{4,12}$")
# scrypt cost: about 16 MiB and ~50 ms per check on a Pi 4: cheap for a sign-in, slow to guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
HEADER = (
    "# imdms officers: ids and scrypt-hashed PINs. Manage with `imdms officer add|list|remove`;\n"
    "# never write a PIN here. This file must stay mode 0600.\n"
)


@dataclass(frozen=True, slots=True)
class Officer:
    officer_id: str
    pin_hash: str = ""
    added_at: str = ""


def check_officer_id(officer_id: str) -> str:
    if not OFFICER_ID.match(officer_id):
        raise ConfigError(
            "an officer id is 1-32 letters, digits, '.', '_' or '-'",
            "use the officer's pseudonymous id (never a name), e.g. 'msu-017'",
        )
    return officer_id


def check_pin(pin: str) -> str:
    if not PIN.match(pin):
        raise ConfigError("a PIN is 4 to 12 digits", "choose a PIN of digits only")
    return pin


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$<salt>$<hash>` (urlsafe base64, no padding)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return "$".join(
        ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time check of a PIN against a stored hash; False for any malformed entry."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = _unb64(digest)
        got = hashlib.scrypt(
            pin.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(want)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class OfficerStore:
    """The officers file, and the centre's signed directory when one is given
    (messaging/officer_directory.py). Reads are fresh on every call (an `imdms officer add`
    or a directory update while the booth runs takes effect at the next sign-in). Directory
    officers override local ones of the same id; a revoked id is refused even if local."""

    def __init__(self, path: str | Path, *, directory_file: Path | None = None,
                 directory_keys: Sequence[VerifyKey] = ()) -> None:
        self.path = Path(path)
        self.directory_file = directory_file
        self.directory_keys = list(directory_keys)

    def directory(self) -> Directory | None:
        """The applied directory; None without one, or when it does not verify (logged: the
        local officers file still works)."""
        if self.directory_file is None:
            return None
        try:
            return load_applied(self.directory_file, self.directory_keys)
        except DirectoryRefused as err:
            log.warning("applied officer directory unusable (%s): local officers only",
                        err.reason)
            return None

    def load(self) -> dict[str, Officer]:
        officers = self._load_local()
        found = self.directory()
        if found is not None:
            for oid, entry in found.officers.items():
                officers[oid] = Officer(oid, entry.pin_hash, found.issued_at)
            for oid in found.revoked:
                officers.pop(oid, None)
        return officers

    def _load_local(self) -> dict[str, Officer]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as err:
            raise ConfigError(
                _("officers file {path} cannot be read ({error})").format(
                    path=self.path, error=err.__class__.__name__),
                _("run as the imdms user, or fix the file's owner (mode 0600)"),
            ) from err
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(
                _("officers file {path} is not valid TOML").format(path=self.path),
                _("restore it from backup or re-add the officers with `imdms officer add`"),
            ) from err
        out: dict[str, Officer] = {}
        for oid, entry in (data.get("officers") or {}).items():
            if isinstance(entry, dict):
                pin_hash, added = str(entry.get("pin_hash", "")), str(entry.get("added_at", ""))
                out[oid] = Officer(oid, pin_hash, added)
        return out

    def ids(self) -> list[str]:
        return sorted(self.load())

    def verify(self, officer_id: str, pin: str) -> bool:
        officer = self.load().get(officer_id.strip())
        if officer is None:
            verify_pin(pin, hash_pin("0000", salt=b"\0" * 16))  # same time for unknown ids
            return False
        return verify_pin(pin, officer.pin_hash)

    def add(self, officer_id: str, pin: str, *, now: datetime | None = None) -> None:
        check_officer_id(officer_id)
        check_pin(pin)
        officers = self._load_local()
        when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
        officers[officer_id] = Officer(officer_id, hash_pin(pin), when)
        self._write(officers)

    def remove(self, officer_id: str) -> bool:
        officers = self._load_local()
        if officers.pop(officer_id, None) is None:
            return False
        self._write(officers)
        return True

    def _write(self, officers: dict[str, Officer]) -> None:
        lines = [HEADER]
        for oid in sorted(officers):
            o = officers[oid]
            lines.append(
                f'\n[officers."{oid}"]\npin_hash = "{o.pin_hash}"\nadded_at = "{o.added_at}"\n'
            )
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        fd, tmp = tempfile.mkstemp(prefix=".officers.", dir=self.path.parent)  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("".join(lines))
                fh.flush()
                os.fsync(fh.fileno())
                _keep_owner(fh.fileno(), self.path)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _keep_owner(fd: int, path: Path) -> None:
    """Run as root (`sudo imdms officer add`) on an existing file: the replacement keeps the
    old owner and group, so the kiosk user can still read its officers."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        st = path.stat()
    except FileNotFoundError:
        return  # a new file: owned by whoever created it
    os.fchown(fd, st.st_uid, st.st_gid)
