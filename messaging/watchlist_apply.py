"""Which verified document the booth applies, and the entries it then holds (pure).

Rules (issue 18 item 6): a full list must be newer than the held version; a delta must be
newer and start exactly at the held version (base == held), else it is refused and the booth
waits for the full list, which the centre publishes retained with every version. An equal
version is not applied: silently when it is the very list already held (the retained copy
arrives again on every reconnect), as a refusal when its content differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from messaging.watchlist_entries import Entry, parse_entries
from messaging.watchlist_sign import WatchlistRefused


def _entries(items: Any) -> list[Entry]:
    try:
        return parse_entries(items)
    except ValueError as err:
        raise WatchlistRefused("malformed", f"watchlist refused: {err}") from None


def next_entries(
    held: int | None, current: Sequence[Entry], doc: dict[str, Any]
) -> list[Entry] | None:
    """The entries after applying `doc` (verified, messaging/watchlist_sign.verify) to version
    `held` (None: no signed list yet) holding `current`; None when there is nothing to apply.

    Raises WatchlistRefused: stale (older, equal with other content, replayed delta),
    base (a delta that does not start at the held version), malformed."""
    version = int(doc["version"])
    if doc["kind"] == "full":
        entries = _entries(doc.get("entries"))
        if held is not None and version < held:
            raise WatchlistRefused("stale", f"watchlist refused: version {version} is older "
                                   f"than the held version {held}")
        if held is not None and version == held:
            if [e.to_dict() for e in entries] == [e.to_dict() for e in current]:
                return None
            raise WatchlistRefused("stale", f"watchlist refused: version {version} is already "
                                   "held with other content")
        return entries
    base = doc.get("base")
    if not isinstance(base, int) or base != version - 1:
        raise WatchlistRefused("malformed", "watchlist refused: a delta's base must be its "
                               "version - 1")
    if held is not None and version <= held:
        raise WatchlistRefused("stale", f"watchlist refused: delta {base}->{version} is not "
                               f"newer than the held version {held} (replayed)")
    if held != base:
        raise WatchlistRefused("base", f"watchlist refused: delta {base}->{version} does not "
                               f"start at the held version {held}; waiting for the full list")
    upsert = _entries(doc.get("upsert", []))
    remove = doc.get("remove", [])
    if not isinstance(remove, list) or not all(isinstance(i, str) for i in remove):
        raise WatchlistRefused("malformed", "watchlist refused: a delta's remove must be a "
                               "list of entry ids")
    merged = {e.id: e for e in current}
    for gone in remove:
        merged.pop(gone, None)
    for e in upsert:
        merged[e.id] = e
    return list(merged.values())
