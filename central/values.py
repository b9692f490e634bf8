"""Values a central store cannot hold, and a lossless text form for rejected payloads.

A message that parses and passes the schema can still carry what PostgreSQL refuses: a NUL
character (JSON "\\u0000") in a text column, an unpaired UTF-16 surrogate ("\\ud800", not
Unicode at all, refused by every UTF-8 encoder) or an integer beyond BIGINT. SQLite would keep
some of them, so both stores refuse them alike and the same messages reach the report.
"""

from __future__ import annotations

import base64
from typing import Any

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
BASE64_PREFIX = "base64:"


def unstorable(value: Any) -> str | None:
    """Why a parsed JSON value cannot be stored (a reason without the value), or None."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if "\x00" in v:
                return "a string holds a NUL character (U+0000), which the store cannot hold"
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return "a string holds an unpaired UTF-16 surrogate (not valid Unicode)"
        elif isinstance(v, bool):
            continue
        elif isinstance(v, int):
            if not BIGINT_MIN <= v <= BIGINT_MAX:
                return "a number is outside the 64-bit range the store can hold"
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return None


def payload_text(payload: bytes) -> str:
    """The payload as storable text: verbatim when it is UTF-8 without NUL, else base64.

    Lossless either way, so a technician can recover the exact bytes of a rejected message
    (`base64 -d` after the "base64:" prefix), and rejecting can never fail on the value.
    """
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text and not text.startswith(BASE64_PREFIX):
        return text
    return BASE64_PREFIX + base64.b64encode(payload).decode("ascii")


def payload_bytes(text: str) -> bytes:
    """The inverse of payload_text()."""
    if text.startswith(BASE64_PREFIX):
        return base64.b64decode(text[len(BASE64_PREFIX) :])
    return text.encode("utf-8")


def safe_text(text: str) -> str:
    """A short text (topic, reason) made storable: NUL and surrogates escaped."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
