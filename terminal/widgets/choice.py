"""A one-line, keyboard-first choice: Left/Right (or Space) cycle, a letter jumps to the next
option starting with it. Fits 80x24 where a Select's overlay would not, and needs no mouse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from terminal.i18n import N_


class Choice(Widget, can_focus=True):
    DEFAULT_CSS = """
    Choice { height: 1; width: 1fr; padding: 0 1; background: $boost; }
    Choice:focus { background: $accent; color: $text; text-style: bold; }
    Choice.-blank { color: $warning; }
    """
    BINDINGS = [
        Binding("left", "step(-1)", N_("previous"), show=False),
        Binding("right,space", "step(1)", N_("next"), show=False),
    ]

    index: reactive[int] = reactive(0)

    class Changed(Message):
        """The officer picked another option."""

        def __init__(self, choice: Choice, value: Any) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(
        self,
        options: Sequence[tuple[str, Any]],
        value: Any = None,
        *,
        blank: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        head: list[tuple[str, Any]] = [(blank, None)] if blank is not None else []
        self._options: list[tuple[str, Any]] = head + list(options)
        values = [v for _, v in self._options]
        self.set_reactive(Choice.index, values.index(value) if value in values else 0)
        self._sync_blank()

    @property
    def value(self) -> Any:
        return self._options[self.index][1]

    @value.setter
    def value(self, new: Any) -> None:
        values = [v for _, v in self._options]
        if new in values:
            self.index = values.index(new)

    @property
    def option_count(self) -> int:
        return len(self._options)

    def set_options(self, options: Sequence[tuple[str, Any]], value: Any = None) -> None:
        blank = [o for o in self._options if o[1] is None][:1]
        self._options = blank + list(options)
        values = [v for _, v in self._options]
        self.index = values.index(value) if value in values else 0
        self.refresh()

    def _sync_blank(self) -> None:
        self.set_class(self._options[self.index][1] is None, "-blank")

    def render(self) -> Text:
        label = self._options[self.index][0]
        many = len(self._options) > 1
        return Text(f"{'<' if many else ' '} {label} {'>' if many else ' '}", no_wrap=True)

    def watch_index(self, old: int, new: int) -> None:
        self._sync_blank()
        if old != new:
            self.post_message(self.Changed(self, self.value))

    def action_step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self._options)

    def on_key(self, event: Key) -> None:
        char = (event.character or "").lower()
        if len(char) != 1 or not char.isalnum():
            return
        n = len(self._options)
        for step in range(1, n + 1):
            i = (self.index + step) % n
            if self._options[i][0].lower().startswith(char):
                self.index = i
                event.stop()
                event.prevent_default()
                return
