"""Tick boxes whose shape says ticked or not: "[x]" / "[ ]".

Textual's Checkbox and SelectionList draw an X in both states and only change its colour,
which a colour-blind officer and a 16-colour console cannot tell apart (issue 13 item 10)."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICKED, UNTICKED = "[x]", "[ ]"


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        return Content.assemble((TICKED if self.value else UNTICKED, "bold"))


class TickList(SelectionList[Any]):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3:
            return strip
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        mark = TICKED if getattr(option, "value", None) in self._selected else UNTICKED
        inner = segments[1]
        return Strip([Segment(mark, inner.style), *segments[3:]])
