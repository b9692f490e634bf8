"""The local copy of the national watchlist, so checks work while the post is offline.

The centre publishes it signed (messaging/watchlist_sign.py): the full list retained on
`<prefix>/watchlist`, each change also as a delta on `<prefix>/watchlist/delta`.
`store_payload` verifies either against the centre's public key (`[watchlist] public_key`, or
watchlist.pub beside the list), applies it by the rules of messaging/watchlist_apply.py and
writes the resulting state atomically with mode 0600 (it holds personal data):

    {"format": "imdms-watchlist/1", "kind": "state", "version": 7, "issued_at": ...,
     "entries": [<entry, messaging/watchlist_entries.py>, ...]}

The state file is trusted as it stands (only store_payload writes it, after verifying).
`load`/`from_payload` also read the older unsigned form {"version": "<text>", "entries":
[{"document_number", "nationality"?, "date_of_birth"?}]} (the demo, tests).

Matching (`lookup`): by document number (issuing state, nationality and birth date must agree
when both sides have them), and by name + date of birth with the person index's folding and
score (records/names.py, MATCH_SCORE). A hit is a prompt for the officer, never a decision.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.signing import VerifyKey

from messaging.watchlist_apply import next_entries
from messaging.watchlist_entries import Category, Entry, entry_id, parse_entry
from messaging.watchlist_sign import FORMAT, WatchlistRefused, trusted_keys, verify
from records.codes import WatchlistResult
from records.names import MATCH_SCORE, doc_number, name_key, name_score

log = logging.getLogger(__name__)
LEGACY_INSTRUCTION = "Check the traveller and the document; refer to second line if in doubt."


class WatchlistCheck(tuple[WatchlistResult, str | None]):
    """One check's outcome: the (result, list version) pair the booth's Case and record keep,
    plus what the officer is shown on a hit. No personal data, only the entry's id."""

    entry_id: str | None
    category: Category | None
    label: str | None
    instruction: str | None
    match: str | None  # "document" or "name"
    score: float | None  # the name score (0-100) of a name match

    def __new__(
        cls, result: WatchlistResult, version: str | None, entry_id: str | None = None,
        category: Category | None = None, label: str | None = None,
        instruction: str | None = None, match: str | None = None, score: float | None = None,
    ) -> WatchlistCheck:
        self = super().__new__(cls, (result, version))
        self.entry_id, self.category, self.label = entry_id, category, label
        self.instruction, self.match, self.score = instruction, match, score
        return self

    @property
    def result(self) -> WatchlistResult:
        return self[0]

    @property
    def version(self) -> str | None:
        return self[1]


def _norm(value: str | None) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def _agree(a: str | None, b: str | None) -> bool:
    return not (a and b) or _norm(a) == _norm(b)


def _dates_agree(listed: str | None, seen: str | None) -> bool:
    # partial dates ("1974", "1974-08") match any date they contain
    return not (listed and seen) or seen.startswith(listed) or listed.startswith(seen)


def _legacy(data: Any, n: int) -> Entry:
    """An entry of the unsigned form (document number only, no category): lost/stolen."""
    if isinstance(data, dict) and "category" not in data:
        number = data.get("document_number")
        if not isinstance(number, str) or not doc_number(number):
            raise ValueError(f"watchlist: entry {n} has no document_number")
        data = {"id": entry_id("legacy", number), "category": Category.LOST_STOLEN_DOCUMENT,
                "instruction": LEGACY_INSTRUCTION, "document_number": number,
                **{k: data[k] for k in ("nationality", "date_of_birth") if data.get(k)}}
    return parse_entry(data, n)


@dataclass(frozen=True, slots=True)
class Watchlist:
    """An immutable loaded list. `version` None means no list: every check is NOT_CHECKED.
    `number` is the centre's integer version (None for an unsigned or absent list)."""

    version: str | None
    entries: tuple[Entry, ...] = field(default=(), repr=False)
    number: int | None = None
    issued_at: str | None = None
    _docs: dict[str, list[Entry]] = field(default_factory=dict, repr=False)
    _people: dict[str, list[tuple[str, Entry]]] = field(default_factory=dict, repr=False)

    @classmethod
    def empty(cls) -> Watchlist:
        return cls(None)

    @classmethod
    def of(cls, version: str | None, entries: list[Entry], number: int | None = None,
           issued_at: str | None = None) -> Watchlist:
        docs: dict[str, list[Entry]] = {}
        people: dict[str, list[tuple[str, Entry]]] = {}
        for e in entries:
            if doc_number(e.document_number):
                docs.setdefault(doc_number(e.document_number), []).append(e)
            key = name_key(e.surname, e.given_names)
            if key and e.date_of_birth:
                people.setdefault(e.date_of_birth[:4], []).append((key, e))
        return cls(version, tuple(entries), number, issued_at, docs, people)

    @classmethod
    def from_payload(cls, data: Any) -> Watchlist:
        """Build from a trusted document (a stored state, the unsigned form). No signature is
        checked here: see store_payload. Raises ValueError when it is malformed."""
        if not isinstance(data, dict):
            raise ValueError("watchlist: not a JSON object")
        version = data.get("version")
        signed = isinstance(version, int) and not isinstance(version, bool)
        if not (signed or isinstance(version, str)):
            raise ValueError("watchlist: 'version' missing")
        items = data.get("entries")
        if not isinstance(items, list):
            raise ValueError("watchlist: 'entries' (list) missing")
        entries = [_legacy(item, n) for n, item in enumerate(items)]
        return cls.of(str(version), entries, version if signed else None,
                      data.get("issued_at"))

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
        return len(self.entries)

    def state(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": "state", "version": self.number,
                "issued_at": self.issued_at, "entries": [e.to_dict() for e in self.entries]}

    def check(
        self, document_number: str | None, nationality: str | None, date_of_birth: str | None
    ) -> WatchlistResult:
        """HIT when an entry matches the number (and its nationality/birth date when given)."""
        return self.lookup(document_number=document_number, nationality=nationality,
                           date_of_birth=date_of_birth).result

    def lookup(
        self,
        *,
        document_number: str | None = None,
        issuing_state: str | None = None,
        nationality: str | None = None,
        date_of_birth: str | None = None,
        surname: str | None = None,
        given_names: str | None = None,
    ) -> WatchlistCheck:
        """The first document match, else the best name + date of birth match (score >=
        MATCH_SCORE), with the entry's category and officer instruction. NOT_CHECKED without a
        list or without anything to match on."""
        if self.version is None:
            return WatchlistCheck(WatchlistResult.NOT_CHECKED, None)
        key = doc_number(document_number)
        name = name_key(surname, given_names)
        if not key and not (name and date_of_birth):
            return WatchlistCheck(WatchlistResult.NOT_CHECKED, self.version)
        for e in self._docs.get(key, ()) if key else ():
            if _agree(e.issuing_state, issuing_state) and _agree(e.nationality, nationality) \
                    and _dates_agree(e.date_of_birth, date_of_birth):
                return self._hit(e, "document", None)
        best: tuple[float, Entry] | None = None
        if name and date_of_birth:
            for listed, e in self._people.get(date_of_birth[:4], ()):
                if not (_dates_agree(e.date_of_birth, date_of_birth)
                        and _agree(e.nationality, nationality)):
                    continue
                score = name_score(listed, name)
                if score >= MATCH_SCORE and (best is None or score > best[0]):
                    best = (score, e)
        if best is not None:
            return self._hit(best[1], "name", round(best[0], 1))
        return WatchlistCheck(WatchlistResult.NO_HIT, self.version)

    def _hit(self, e: Entry, match: str, score: float | None) -> WatchlistCheck:
        return WatchlistCheck(WatchlistResult.HIT, self.version, e.id, e.category, e.label,
                              e.instruction, match, score)


def check_watchlist(
    watchlist: Any,
    document_number: str | None,
    nationality: str | None,
    date_of_birth: str | None,
    *,
    issuing_state: str | None = None,
    surname: str | None = None,
    given_names: str | None = None,
) -> WatchlistCheck:
    """terminal/booking.check_watchlist with names and the officer's instruction: the same
    positional arguments, and the result still unpacks as (result, version). Any list-like
    object with `check` works (test fakes); a failing list gives NOT_CHECKED, never a crash."""
    if watchlist is None:
        return WatchlistCheck(WatchlistResult.NOT_CHECKED, None)
    try:
        if isinstance(watchlist, Watchlist):
            return watchlist.lookup(
                document_number=document_number, issuing_state=issuing_state,
                nationality=nationality, date_of_birth=date_of_birth, surname=surname,
                given_names=given_names)
        result = WatchlistResult(watchlist.check(document_number, nationality, date_of_birth))
    except Exception:  # a broken list must not stop the booth; the record says NOT_CHECKED
        return WatchlistCheck(WatchlistResult.NOT_CHECKED, None)
    return WatchlistCheck(result, str(getattr(watchlist, "version", "") or "") or None)


def store_payload(
    path: str | Path, payload: bytes, *, public_key: VerifyKey | Path | None = None
) -> Watchlist:
    """Verify a published list or delta, apply it to the stored state and write that
    atomically with mode 0600; returns the list now held (unchanged when there was nothing
    to apply). `public_key`: a key, a PEM path, or None for watchlist.pub beside `path`.

    Raises WatchlistRefused (a ValueError; the stored list is kept): unsigned, signature,
    foreign_key, malformed, stale, base (waiting for the full list), no_key. The caller logs
    it: the message names versions and reasons, never entries."""
    target = Path(path)
    keys = ([public_key] if isinstance(public_key, VerifyKey)
            else trusted_keys(target, public_key))
    doc = verify(payload, keys)
    current = Watchlist.load(target)
    entries = next_entries(current.number, current.entries, doc)
    if entries is None:
        return current
    version = int(doc["version"])
    wl = Watchlist.of(str(version), entries, version, str(doc.get("issued_at") or "") or None)
    write_private(target, json.dumps(wl.state(), sort_keys=True).encode("utf-8"))
    return wl


def write_private(target: Path, data: bytes) -> None:
    """Write atomically (temp file, fsync, rename) with mode 0600."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".watchlist-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["Watchlist", "WatchlistCheck", "WatchlistRefused", "check_watchlist", "store_payload"]
