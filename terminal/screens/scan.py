"""Waiting for the next traveller: reader and link status, and the shift's last crossings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from drivers.base import ReaderStatus
from terminal.i18n import N_, _
from terminal.screens.base import BoothScreen
from terminal.widgets.crossing_table import CrossingTable
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar

STATE_STYLE = {
    ReaderStatus.CONNECTED: "bold green",
    ReaderStatus.WAITING: "yellow",
    ReaderStatus.DISCONNECTED: "bold red",
    ReaderStatus.ERROR: "bold red",
}


class ScanScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("f2", "demo_read", N_("Demo")),
        Binding("f3", "manual", N_("Type MRZ")),
        Binding("f4", "no_document", N_("No doc")),
        Binding("f5", "correct", N_("Correct")),
        Binding("f6", "summary", N_("Shift")),
        # groups: in F1 help, not in the key bar (no room at 80 columns); F9 is the
        # traveller's screen everywhere, so joining another booth's group is F11
        Binding("f7", "group", N_("Open/close a group"), show=False),
        Binding("f8", "direction", N_("In/Out")),
        Binding("f11", "join_group", N_("Join another booth's group"), show=False),
        Binding("f10", "sign_out", N_("Sign out")),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Horizontal(id="scan-top"):
            yield Static(id="readers", classes="panel")
            yield Static(id="link", classes="panel")
        yield Static(id="prompt")
        yield Static("", id="flash")
        yield CrossingTable(id="recent")
        yield KeyBar()

    def on_mount(self) -> None:
        self.status_changed()
        self.refresh_recent()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "demo_read":
            return self.app.demo_trigger is not None
        return True

    def status_changed(self) -> None:
        if not self.query("#readers"):
            return  # not composed yet
        app = self.app
        readers = Text(_("Readers") + "\n", style="bold")
        states = app.reader_states
        if not states:
            readers.append(_("none configured: type the MRZ (F3)"), style="bold red")
        for name, state in states.items():
            readers.append(f"{name}: ")
            readers.append(state.status.value, style=STATE_STYLE.get(state.status, ""))
            if state.reason:
                readers.append(f"\n  {state.reason}")
            readers.append("\n")
        self.query_one("#readers", Static).update(readers)
        link, queue = app.link, app.queue
        text = Text(_("Central link") + "\n", style="bold")
        text.append(_(link.text), style={True: "bold green", False: "bold yellow", None: ""}[
            link.online])
        text.append(f"\n{queue.text}")
        if queue.quarantined:
            text.append("\n" + _("held: records the forwarder cannot send; the technician runs "
                                 "imdms outbox status"), style="yellow")
        if queue.error:
            text.append(f"\n{queue.error}"[:70], style="yellow")
        self.query_one("#link", Static).update(text)
        direction = app.settings.default_direction.value
        self.query_one("#prompt", Static).update(
            Text.assemble(
                (_("Present the next document"), "bold"),
                (" " + _("(F2: demo document)") + "  " if app.demo_trigger else ".  ", ""),
                (_("Direction: {direction} (F8)").format(direction=direction), "bold reverse"),
            )
        )

    def refresh_recent(self) -> None:
        if not self.query("#recent"):
            return  # not composed yet
        self.query_one("#recent", CrossingTable).show(self.app.recent_records())

    def action_group(self) -> None:
        """F7: open a group (every read joins it), or close the open one."""
        from terminal.group_keys import toggle_group

        toggle_group(self.app, self)

    def action_join_group(self) -> None:
        """F11: join a group opened at another booth of this post, by its code."""
        from terminal.group_keys import ask_group_code

        ask_group_code(self.app, self)

    def flash(self, note: str) -> None:
        if self.query("#flash"):
            self.query_one("#flash", Static).update(Text(note, style="bold green"))
        self.refresh_recent()

    def on_screen_resume(self) -> None:
        self.status_changed()
        self.refresh_recent()

    def action_demo_read(self) -> None:
        trigger = self.app.demo_trigger
        if trigger is not None:
            trigger()

    def action_manual(self) -> None:
        from terminal.screens.manual_mrz import ManualMrzScreen

        self.app.push_screen(ManualMrzScreen())

    def action_no_document(self) -> None:
        from terminal.screens.no_document import NoDocumentScreen

        self.app.push_screen(NoDocumentScreen())

    def action_correct(self) -> None:
        self.app.open_correction()

    def action_summary(self) -> None:
        from terminal.screens.shift_summary import ShiftSummaryScreen

        self.app.push_screen(ShiftSummaryScreen())

    def action_direction(self) -> None:
        self.app.toggle_direction()
        self.status_changed()

    def action_sign_out(self) -> None:
        from terminal.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.sign_out("officer")

        self.app.push_screen(
            ConfirmModal(_("Sign out?"), _("End your shift at this booth? The next officer signs "
                                           "in with their own id and PIN."),
                         _("sign out"), _("stay signed in")),
            callback=answered,
        )
