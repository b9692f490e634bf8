"""Watchlist test helpers: a centre key pair, sample entries, signed documents; the real broker
fixtures of tests/messaging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from messaging.export_file import verify_key_pem
from messaging.watchlist_entries import Category, Entry
from messaging.watchlist_sign import PUBLIC_KEY_FILE, delta_document, full_document, sign
from tests.messaging.conftest import broker, broker_factory

__all__ = ["broker", "broker_factory"]
AT = "2026-12-03T12:00:00Z"

DOC = Entry("wl-doc", Category.LOST_STOLEN_DOCUMENT, "Retain the document; second line.",
            document_number="QX1234567", issuing_state="LSO", document_type="P")
CHILD = Entry("wl-child", Category.MISSING_CHILD_TIP, "Keep the child here; call the CGPU.",
              surname="MÜLLER", given_names="ANNA MARIA", date_of_birth="2015-04-09",
              nationality="LSO")
WANTED = Entry("wl-wanted", Category.WANTED, "Do not alert; call the duty inspector.",
               surname="MOKOENA", given_names="THABO", date_of_birth="1988-02-01")
BAN = Entry("wl-ban", Category.ENTRY_BAN, "Refuse entry (reason code I).",
            document_number="ZA9988776", issuing_state="ZAF")


def full(key: SigningKey, version: int, entries: list[Entry]) -> bytes:
    return sign(full_document(version, entries, AT), key)


def delta(key: SigningKey, base: int, upsert: list[Entry], remove: tuple[str, ...] = (),
          version: int | None = None) -> bytes:
    return sign(delta_document(base, version or base + 1, upsert, remove, AT), key)


@pytest.fixture
def centre_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def booth_dir(tmp_path: Path, centre_key: SigningKey) -> Path:
    """A booth data dir that trusts centre_key (watchlist.pub beside the list)."""
    d = tmp_path / "booth"
    d.mkdir()
    (d / PUBLIC_KEY_FILE).write_text(verify_key_pem(centre_key.verify_key), encoding="ascii")
    return d


def entries_of(wl: Any) -> set[str]:
    return {e.id for e in wl.entries}
