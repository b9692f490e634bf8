"""Correct a saved crossing: pick it from this shift's list; the correction is a new record
with `amends` = the picked record's id (a saved record is never edited)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from records.codes import VoidReason
from records.record import CrossingRecord
from terminal.booking import Case, amendment, form_from_record
from terminal.screens.scan import CROSSING_COLUMNS, crossing_row
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar


class CorrectionScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "pick", "Correct this"),
        Binding("f9", "void", "Void"),
        Binding("escape", "back", "Back"),
    ]
    AUTO_FOCUS = "#corr-table"

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("Which crossing needs a correction? (Up/Down, Enter)", classes="title")
        yield DataTable(id="corr-table", cursor_type="row")
        yield Static("The saved record stays as it was; a correction record replaces it in "
                     "the statistics.", classes="keys")
        yield KeyBar()

    def on_mount(self) -> None:
        app: Any = self.app
        table = self.query_one("#corr-table", DataTable)
        table.add_columns(*CROSSING_COLUMNS)
        for record in app.recent_records():
            table.add_row(*crossing_row(record), key=record.record_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        from terminal.screens.categorise import CategoriseScreen

        app: Any = self.app
        records = app.recent_records()
        table = self.query_one("#corr-table", DataTable)
        if not records:
            return
        original = records[min(table.cursor_row, len(records) - 1)]
        # an amendment of an amendment corrects the same crossing: keep the chain's latest
        case = Case(
            form=form_from_record(original),
            original=original,
            watchlist=(original.watchlist_result, original.watchlist_version),
            age=original.age_at_crossing,
            nationality=original.nationality,
        )
        self.app.switch_screen(CategoriseScreen(case))

    def _picked(self) -> Any:
        app: Any = self.app
        records = app.recent_records()
        if not records:
            return None
        table = self.query_one("#corr-table", DataTable)
        return records[min(table.cursor_row, len(records) - 1)]

    def action_void(self) -> None:
        """Cancel a duplicate or a mistake: a void amendment (counted nowhere)."""
        from terminal.screens.void import VoidModal

        original = self._picked()
        if original is None:
            return
        if original.void is not None:
            self.notify("That crossing is already voided.")
            return

        def chosen(reason: VoidReason | None) -> None:
            if reason is None:
                return
            app: Any = self.app
            record = amendment(app.booth(), original, form_from_record(original),
                               "void", void=reason)

            def saved(rec: CrossingRecord) -> None:
                app.audit("void", detail={"amends": original.record_id, "reason": reason.value})
                app.back_to_scan(f"Voided: ..{original.record_id[-6:]} ({reason.value.lower()}); "
                                 "it is counted nowhere.")

            app.save(record, saved)

        self.app.push_screen(VoidModal(" ".join(crossing_row(original))), callback=chosen)

    def action_back(self) -> None:
        self.app.pop_screen()
