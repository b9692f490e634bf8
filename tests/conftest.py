"""Suite-wide fixtures: log hygiene (no personal data in any log record)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

# An MRZ line, a document-number-like token next to check digits, or a TD3 name field.
MRZ_LIKE = re.compile(r"[A-Z0-9<]{25,}|P[A-Z<][A-Z]{3}[A-Z]+<<[A-Z]")
# Names used by the specimen generators and tests; none may ever reach a log.
SPECIMEN_NAMES = ("ERIKSSON", "MOSHOESHOE", "MOKOENA", "STORGAARDEN", "NTHABISENG")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_personal_data_in_logs() -> Iterator[None]:
    """Fail any test whose code logged something MRZ- or name-shaped."""
    handler = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    for record in handler.records:
        if record.name.startswith(("asyncio", "PIL", "matplotlib", "markdown_it")):
            continue
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is its own bug; show it
            text = str(record.msg)
        if record.exc_text:
            text += record.exc_text
        if MRZ_LIKE.search(text) or any(n in text.upper() for n in SPECIMEN_NAMES):
            pytest.fail(f"personal data in a log record from {record.name}: {text[:60]!r}...")
