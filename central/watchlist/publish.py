"""Making and publishing a new watchlist version: signed full list (retained) and delta.

For version N the centre publishes, QoS 1, first the delta N-1 -> N on
`<prefix>/watchlist/delta` (not retained: a booth holding N-1 applies it), then the full list on
`<prefix>/watchlist` (retained: a booth that was offline, is new, or missed a delta gets the
whole of N on its next connect). Both are signed with the centre's Ed25519 key
(`[watchlist] signing_key_credential`). The version is saved before it is sent, so a failed
send is repeated with `imdms watchlist republish` and never reuses a version number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from nacl.signing import SigningKey

from central.db import Database
from central.publish import publish_confirmed
from central.watchlist import store
from config.models import BrokerConfig
from messaging.topics import Topics
from messaging.watchlist_entries import Entry
from messaging.watchlist_sign import delta_document, full_document, sign
from records.clock import utc_now_iso

CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Published:
    version: int
    entries: list[Entry]
    change: store.Change
    full: bytes
    delta: bytes | None  # None for the first version (nothing to change from)


def prepare(db: Database, source: str, new: Sequence[Entry], key: SigningKey, *,
            operator: str, now: str | None = None) -> Published | None:
    """The next version with `source`'s entries replaced by `new`, signed and saved; None when
    nothing changes (the current version stands). Raises ValueError (id clash between
    sources)."""
    held, entries = store.current(db)
    merged = store.replace_source(entries, source, [replace(e, source=source) for e in new])
    change = store.diff(entries, merged)
    if held and not change:
        return None
    version, at = held + 1, now or utc_now_iso()
    full = sign(full_document(version, merged, at), key)
    delta = (sign(delta_document(held, version, change.upsert, change.remove, at), key)
             if held else None)
    store.save(db, version, merged, published_at=at, operator=operator, full_payload=full,
               delta_payload=delta)
    return Published(version, merged, change, full, delta)


def latest(db: Database) -> tuple[int, bytes, bytes | None] | None:
    """The latest saved version and its payloads (for republish), or None."""
    held, _entries = store.current(db)
    found = store.payloads(db, held) if held else None
    return (held, found[0], found[1]) if found else None


def send(broker: BrokerConfig, full: bytes, delta: bytes | None, *,
         client_id: str = "imdms-watchlist-publisher",
         timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Publish the delta then the full list (retained), QoS 1, and wait for both PUBACKs.
    Raises ImdmsError when the broker cannot be reached or refuses."""
    topics = Topics(broker.topic_prefix, "-", "-")
    messages = [(topics.watchlist_delta, delta, False)] if delta is not None else []
    messages.append((topics.watchlist, full, True))
    publish_confirmed(broker, messages, client_id=client_id, hint=RETRY_HINT,
                      what="the watchlist", timeout_s=timeout_s)


RETRY_HINT = ("the version is saved; run `imdms watchlist republish` once the broker is "
              "reachable (check [broker] and the broker's ACL for <prefix>/watchlist)")
