"""The collector's fast path for a well-formed crossing: one cheap pass instead of three walks.

A crossing that the store can hold and that matches crossing-v1 is the common case. The full
checks (central.values.unstorable, then records.schema.validate_record: check_carriable's walk
with a path per value, then the schema) cost more than storing it. `plainly_valid` proves the
same verdict in one pass over a flat record plus the compiled validator; anything else (nested
objects, a suspicious value, a schema error) returns False and takes the full checks, so every
rejection keeps its reason word for word.
"""

from __future__ import annotations

import json
import math
from typing import Any

from central.values import BIGINT_MAX, BIGINT_MIN


def _plain_text(value: str) -> bool:
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")  # a lone surrogate cannot be encoded
    except UnicodeEncodeError:
        return False
    return True


def _plain(value: object) -> bool:
    """A value neither check could object to: clean text, a 64-bit integer, a finite number,
    null, or a list of clean texts (a crossing's only arrays are lists of codes)."""
    if value is None or value is True or value is False:
        return True
    kind = type(value)
    if kind is str:
        return _plain_text(value)  # type: ignore[arg-type]
    if kind is int:
        return BIGINT_MIN <= value <= BIGINT_MAX  # type: ignore[operator]
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    if kind is list:
        return all(type(v) is str and _plain_text(v) for v in value)  # type: ignore[attr-defined]
    return False  # nested objects and anything else: the full checks decide


def plainly_valid(data: dict[str, Any]) -> bool:
    """True when `data` certainly passes unstorable() and validate_record(); False means
    "run them" (it may still be valid). Keys need no walk here: the schema forbids unknown
    properties, and every known one is a plain field name."""
    from records.schema import _fast_validator  # compiled once (cached there)

    if not all(_plain(v) for v in data.values()):
        return False
    try:
        _fast_validator()(data)
    except Exception:  # fastjsonschema's error, or a value it cannot judge: full checks
        return False
    return True


def canonical_text(data: dict[str, Any]) -> str:
    """The stored form of a record (and of an opened crossing-v2, central/unseal.py)."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True)
