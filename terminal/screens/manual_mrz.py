"""An MRZ typed by hand from the printed page, with live check-digit feedback per field."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from drivers.base import DocumentRead
from imdms.errors import MrzError
from ocr.mrz import MrzRecord
from terminal.i18n import N_, _
from terminal.labels import issue_text
from terminal.screens.base import BoothScreen
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar
from terminal.widgets.upper_input import UpperInput

SHAPES = {44: 2, 36: 2, 30: 3}
MAX_ISSUES = 3
CHECK_NAMES = {
    "document_number": N_("number"),
    "date_of_birth": N_("birth"),
    "date_of_expiry": N_("expiry"),
    "optional_data": N_("optional"),
    "composite": N_("composite"),
}


def feedback(lines: list[str]) -> tuple[Text, MrzRecord | None]:
    """(what to show, the parsed MrzRecord or None)."""
    from ocr.mrz import parse_mrz

    filled = [x for x in lines if x]
    text = Text()
    if not filled:
        return Text(_("Type line 1 of the MRZ (30, 36 or 44 characters)."), style="dim"), None
    length = len(filled[0])
    want = SHAPES.get(length)
    lens = "  ".join(_("line {n}: {length}").format(n=i + 1, length=len(x))
                     for i, x in enumerate(filled))
    text.append(lens + "\n")
    if want is None or len(filled) < want or any(len(x) != length for x in filled[:want]):
        text.append(_("Keep typing: every line has 30 (ID card), 36 or 44 (passport) "
                      "characters."), style="yellow")
        return text, None
    try:
        mrz = parse_mrz(filled[:want], correct=False)
    except MrzError as err:
        text.append(_("Not an MRZ: ") + err.message, style="bold red")
        return text, None
    text.append(_("checks: "))
    for name, ok in mrz.checks.items():
        text.append(f"{_(CHECK_NAMES.get(name, name))} ")
        text.append(_("ok") + "  " if ok else _("WRONG") + "  ",
                    style="green" if ok else "bold red reverse")
    for issue in mrz.errors[:MAX_ISSUES]:
        text.append(f"\n{issue_text(issue.field, issue.message)}", style="bold red")
    if len(mrz.errors) > MAX_ISSUES:
        text.append("\n" + _("... and {n} more").format(n=len(mrz.errors) - MAX_ISSUES),
                    style="bold red")
    if mrz.valid:
        text.append("\n" + _("All check digits pass. Enter: continue."), style="bold green")
    else:
        text.append("\n" + _("Check the typing against the page. Enter: continue anyway "
                             "(recorded as failing the check)."), style="yellow")
    return text, mrz


class ManualMrzScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("f2", "accept", N_("Continue")),
        Binding("escape", "back", N_("Back")),
    ]
    AUTO_FOCUS = "#mrz-1"

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="manual-box"):
            yield Static(_("Type the MRZ from the document (use < for filler)"),
                         classes="title")
            for n in (1, 2, 3):
                yield Label(_("Line {n}").format(n=n) + (" " + _("(ID cards only)")
                                                         if n == 3 else ""))
                yield UpperInput(id=f"mrz-{n}", max_length=44, restrict=r"[A-Z0-9<]*",
                            compact=True, classes="mrz-line")
            yield Static(feedback([])[0], id="mrz-feedback")
        yield KeyBar()

    def _lines(self) -> list[str]:
        return [self.query_one(f"#mrz-{n}", Input).value for n in (1, 2, 3)]

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#mrz-feedback", Static).update(feedback(self._lines())[0])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        current = event.input.id or ""
        mrz = feedback(self._lines())[1]
        if mrz is not None:
            self.action_accept()
            return
        nxt = {"mrz-1": "#mrz-2", "mrz-2": "#mrz-3"}.get(current)
        if nxt:
            self.query_one(nxt, Input).focus()

    def action_accept(self) -> None:
        from terminal.screens.document import DocumentScreen

        lines = self._lines()
        mrz = feedback(lines)[1]
        if mrz is None:
            self.notify(_("The MRZ is not complete yet."), severity="warning")
            return
        read = DocumentRead("manual", "typed by officer", tuple(x for x in lines if x), mrz)
        pending = self.app.chip.hand_mrz(read)
        self.app.switch_screen(DocumentScreen(read, chip_pending=pending))

    def action_back(self) -> None:
        self.app.pop_screen()
