"""Open sealed crossings (crossing-v2) before the collector validates them as crossing-v1.

The centre's X25519 private keys come from the systemd credential named by [collector]
private_key_credential (several PEM blocks: the current key and the older ones, see
docs/security.md). A crossing-v1 message passes through untouched (the transition).
"""

from __future__ import annotations

import json
import logging
import os
from functools import cache
from typing import Any

from central.ingest import canonical_text
from messaging.seal import Opener, SealError, is_sealed

log = logging.getLogger(__name__)
MAX_SEALED_BYTES = 262_144  # central.db.MAX_MESSAGE_BYTES: larger ones are rejected unopened


def opener_for(credential_name: str) -> Opener | None:
    """The opener for the credential in the current $CREDENTIALS_DIRECTORY (read once)."""
    return _opener(credential_name, os.environ.get("CREDENTIALS_DIRECTORY"))


@cache
def _opener(credential_name: str, _directory: str | None) -> Opener | None:
    """The opener holding every key in the credential; None (logged once) when it is absent."""
    from config.loader import credential

    text = credential(credential_name)
    if text is None:
        log.warning("no central private key (credential %s): sealed crossings are rejected",
                    credential_name)
        return None
    opener = Opener.from_pem(text)
    log.info("central private keys loaded: %s", ", ".join(opener.key_ids))
    return opener


def open_payload(payload: bytes, credential_name: str) -> tuple[bytes, str | None]:
    """(crossing-v1 payload, None), or (the payload as received, why it cannot be opened).

    Anything that is not a sealed record is returned as is: the ingest's own checks reject it.
    """
    opened, why = open_message(payload, credential_name)
    if opened is None:
        return payload, why
    return canonical_text(opened).encode("utf-8"), None


def open_message(payload: bytes, credential_name: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the opened crossing-v1 dict, None); (None, None) for anything not sealed (the ingest
    parses and judges it); (None, why) for a sealed record that cannot be opened. The dict is
    handed on to the writer as is: parsing it again cost as much as opening it.

    Never raises (it runs in paho's network thread, where an exception would stall the message).
    """
    try:
        return _open(payload, credential_name)
    except Exception as err:  # a bug must not stop the collector: keep the message
        log.error("could not open a sealed message: %s", err.__class__.__name__)
        return None, f"internal error opening the sealed part: {err.__class__.__name__}"


def _open(payload: bytes, credential_name: str) -> tuple[dict[str, Any] | None, str | None]:
    if b'"sealed"' not in payload or len(payload) > MAX_SEALED_BYTES:
        return None, None  # crossing-v1, or not a record at all: the ingest says why
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, None
    if not isinstance(data, dict) or not is_sealed(data):
        return None, None
    try:
        opener = opener_for(credential_name)
    except SealError as err:
        return None, f"central private key unusable: {err.message}"
    if opener is None:
        return None, "sealed record, but the collector holds no central private key"
    try:
        return opener.open_record(data), None
    except SealError as err:
        return None, err.message

