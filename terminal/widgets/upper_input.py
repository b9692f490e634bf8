"""An Input that upper-cases text as it is inserted (MRZ lines, country codes).

Upper-casing later, by writing the value back from an `Input.Changed` handler, scrambles fast
typing: when keys arrive in a bunch (a busy Pi freezes for 100 ms), the handler sees a stale
value, writes it back over the newer one and leaves the cursor behind, so the next keys land in
the middle (issue 13 item 1). Mapping each insertion cannot reorder or drop anything."""

from __future__ import annotations

from textual.widgets import Input


class UpperInput(Input):
    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(text.upper(), start, end)
