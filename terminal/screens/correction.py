"""Correct a saved crossing: pick it from this shift's list; the correction is a new record
with `amends` = the picked record's id (a saved record is never edited)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from records.codes import VoidReason
from terminal.booking import Case, amendment, form_from_record
from terminal.i18n import N_, _
from terminal.saving import Saved
from terminal.screens.base import BoothScreen
from terminal.widgets.crossing_table import CrossingTable, crossing_row
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar


class CorrectionScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("enter", "pick", N_("Correct this")),
        Binding("f9", "void", N_("Void")),
        Binding("escape", "back", N_("Back")),
    ]
    AUTO_FOCUS = "#corr-table"

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(_("Which crossing needs a correction? (Up/Down, Enter)"), classes="title")
        yield CrossingTable(id="corr-table")
        yield Static(_("The saved record stays as it was; a correction record replaces it in "
                       "the statistics."), classes="keys")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(CrossingTable).show(self.app.recent_records())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        from terminal.screens.categorise import CategoriseScreen

        original = self.query_one(CrossingTable).picked()
        if original is None:
            return
        # an amendment of an amendment corrects the same crossing: keep the chain's latest
        case = Case(
            form=form_from_record(original),
            original=original,
            watchlist=(original.watchlist_result, original.watchlist_version),
            age=original.age_at_crossing,
            nationality=original.nationality,
        )
        self.app.switch_screen(CategoriseScreen(case))

    def action_void(self) -> None:
        """Cancel a duplicate or a mistake: a void amendment (counted nowhere)."""
        from terminal.screens.void import VoidModal

        original = self.query_one(CrossingTable).picked()
        if original is None:
            return
        if original.void is not None:
            self.notify(_("That crossing is already voided."))
            return

        def chosen(reason: VoidReason | None) -> None:
            if reason is None:
                return
            record = amendment(self.app.booth(), original, form_from_record(original),
                               "void", void=reason)
            self.app.save(record, self)

        self.app.push_screen(VoidModal(" ".join(crossing_row(original))), callback=chosen)

    def on_saved(self, message: Saved) -> None:
        """A void was stored (the only save this screen asks for)."""
        record = message.record
        if record.void is None or record.amends is None:
            return
        self.app.audit("void", detail={"amends": record.amends, "reason": record.void.value})
        self.app.back_to_scan(_("Voided: ..{ref} ({reason}); it is counted nowhere.").format(
            ref=record.amends[-6:], reason=record.void.value.lower()))

    def action_back(self) -> None:
        self.app.pop_screen()
