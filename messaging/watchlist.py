"""The local copy of the national watchlist, so checks work while the post is offline.

Central publishes it retained on `imdms/v1/watchlist`; the forwarder stores it (mode 0600, it
holds personal data) as JSON:

    {"version": "2026-11-27.1", "entries": [
        {"document_number": "...", "nationality": "LSO", "date_of_birth": "1990-01-31"}]}

`nationality` and `date_of_birth` are optional in an entry: when present they must match too.
A hit is a prompt for the officer to check, never an automatic decision.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from records.codes import WatchlistResult

log = logging.getLogger(__name__)


def _norm(value: str | None) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Watchlist:
    """An immutable loaded list. `version` None means no list: every check is NOT_CHECKED."""

    version: str | None
    _index: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def empty(cls) -> Watchlist:
        return cls(None)

    @classmethod
    def from_payload(cls, data: Any) -> Watchlist:
        """Build from the published JSON object. Raises ValueError when it is malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("version"), str):
            raise ValueError("watchlist: 'version' (string) missing")
        entries = data.get("entries")
        if not isinstance(entries, list):
            raise ValueError("watchlist: 'entries' (list) missing")
        index: dict[str, list[tuple[str, str]]] = {}
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict) or not _norm(entry.get("document_number")):
                raise ValueError(f"watchlist: entry {number} has no document_number")
            key = _norm(entry["document_number"])
            index.setdefault(key, []).append(
                (_norm(entry.get("nationality")), entry.get("date_of_birth") or "")
            )
        return cls(data["version"], index)

    @classmethod
    def load(cls, path: str | Path) -> Watchlist:
        """Read the stored list; a missing or unreadable file gives an empty list (NOT_CHECKED)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls.from_payload(data)
        except FileNotFoundError:
            return cls.empty()
        except (OSError, ValueError) as err:
            # ValueError text names only structure, never entries.
            log.warning("watchlist file %s unusable (%s): checks are NOT_CHECKED", path,
                        err.__class__.__name__)
            return cls.empty()

    def __len__(self) -> int:
        return sum(len(v) for v in self._index.values())

    def check(
        self, document_number: str | None, nationality: str | None, date_of_birth: str | None
    ) -> WatchlistResult:
        """HIT when an entry matches the number (and its nationality/birth date when given)."""
        if self.version is None:
            return WatchlistResult.NOT_CHECKED
        key = _norm(document_number)
        if not key:
            return WatchlistResult.NOT_CHECKED
        nat = _norm(nationality)
        for entry_nat, entry_dob in self._index.get(key, ()):
            if entry_nat and nat and entry_nat != nat:
                continue
            # partial dates ("1974", "1974-08") match any date they contain
            if entry_dob and date_of_birth and not (
                date_of_birth.startswith(entry_dob) or entry_dob.startswith(date_of_birth)
            ):
                continue
            return WatchlistResult.HIT
        return WatchlistResult.NO_HIT


def store_payload(path: str | Path, payload: bytes) -> Watchlist:
    """Validate a published watchlist and write it atomically with mode 0600.

    Raises ValueError (malformed; the stored list is kept)."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError("watchlist: not JSON") from err
    wl = Watchlist.from_payload(data)
    target = Path(path)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".watchlist-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return wl
