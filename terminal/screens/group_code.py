"""Join a group opened at another booth of this post: type the code it shows. Dismisses with
the code in its printed form, or None (Esc)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from terminal.groups import CODE_CHARS, normalise_code
from terminal.i18n import N_, _


class GroupCodeModal(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = "#group-code"

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(_("Join a group"), classes="title")
            yield Static(_("Type the {n}-character group code shown at the other booth, then "
                           "Enter.").format(n=CODE_CHARS), id="confirm-question")
            yield Input(id="group-code", max_length=CODE_CHARS, placeholder=_("code"))
            yield Static("", id="group-problem")
            yield Static(_("Enter join  Esc back"), classes="keys")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        code = normalise_code(event.value)
        if code is None:
            self.query_one("#group-problem", Static).update(
                _("a group code has {n} letters and digits: type it as shown").format(
                    n=CODE_CHARS))
            return
        self.dismiss(code)

    def action_back(self) -> None:
        self.dismiss(None)
