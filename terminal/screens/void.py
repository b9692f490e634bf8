"""Void a saved crossing that should not count: saved twice (duplicate) or nobody crossed
(mistake). The saved record stays; a void amendment cancels it in every statistic."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from records.codes import VoidReason
from terminal.i18n import N_, _


class VoidModal(ModalScreen[VoidReason | None]):
    BINDINGS = [
        Binding("d", "pick('DUPLICATE')", N_("Duplicate")),
        Binding("m", "pick('MISTAKE')", N_("Mistake")),
        Binding("escape", "pick('')", N_("Back")),
    ]

    def __init__(self, row: str) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(_("Void this crossing?"), classes="title")
            yield Static(self.row + "\n" + _("A voided crossing is counted nowhere. The saved "
                                              "record stays, marked as voided."),
                         id="confirm-question", markup=False)
            yield Static(_("D duplicate (saved twice)  M mistake (nobody crossed)  Esc back"),
                         classes="keys")

    def action_pick(self, reason: str) -> None:
        self.dismiss(VoidReason(reason) if reason else None)
