"""Officer sign-in: officer id + PIN (checked against the scrypt hashes in the officers file),
and the booth's language for the shift (F8 switches it before signing in)."""

from __future__ import annotations

import math
import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from imdms.errors import ImdmsError
from terminal.i18n import LANGUAGES, N_, _, current_language, next_language, set_language
from terminal.screens.base import BoothScreen
from terminal.widgets.status_bar import StatusBar

MAX_TRIES = 5
HINT = N_("Type your id, Tab, your PIN, then Enter.")
TITLE = N_("IMDMS border terminal - officer sign-in")
PLACEHOLDER = N_("your officer id")


def _language_line() -> str:
    return _("Language: {language}  (F8: {other})").format(
        language=LANGUAGES[current_language()], other=LANGUAGES[next_language()])


def _demo_hint(pin: str) -> str:
    return _("DEMO: officer id [b]demo[/b], PIN [b]{pin}[/b]. No real data.").format(pin=pin)
LOCKOUT_S = 30.0


class SignInScreen(BoothScreen[None]):
    AUTO_FOCUS = "#officer-id"
    BINDINGS = [Binding("f8", "language", N_("Language"))]

    def __init__(self, notice: str = "") -> None:
        super().__init__()
        self._failures = 0
        self._locked_until = 0.0
        self._countdown: Timer | None = None
        self.notice = notice  # why the last officer was signed out, shown until the next try

    def compose(self) -> ComposeResult:
        app = self.app
        demo_pin = getattr(getattr(app, "settings", None), "demo_pin", None)
        yield StatusBar()
        with Vertical(id="signin-box"):
            yield Static(_(TITLE), id="signin-title", classes="title")
            yield Label(_("Officer id"), id="officer-id-label")
            yield Input(placeholder=_(PLACEHOLDER), id="officer-id", compact=True)
            yield Label("PIN")
            yield Input(placeholder="PIN", password=True, id="pin", compact=True)
            yield Static(self.notice or _(HINT), id="signin-msg", markup=False)
            yield Static(_language_line(), id="language-line", markup=False)
            if demo_pin:
                yield Static(_demo_hint(demo_pin), id="demo-hint")

    def _relabel(self) -> None:
        """Every text on this screen in the current language (after F8), in place."""
        self.query_one("#signin-title", Static).update(_(TITLE))
        self.query_one("#officer-id-label", Label).update(_("Officer id"))
        self.query_one("#officer-id", Input).placeholder = _(PLACEHOLDER)
        self.query_one("#language-line", Static).update(_language_line())
        demo_pin = getattr(getattr(self.app, "settings", None), "demo_pin", None)
        if demo_pin and self.query("#demo-hint"):
            self.query_one("#demo-hint", Static).update(_demo_hint(demo_pin))

    def action_language(self) -> None:
        """The language for this shift: chosen before signing in, kept until sign-out."""
        set_language(next_language())
        self._relabel()
        self.app.refresh_status()  # the status bar too, not at its next tick
        msg = self.query_one("#signin-msg", Static)
        if not self.notice and not msg.has_class("bad"):  # a notice or a refusal stays as said
            msg.update(_(HINT))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "officer-id":
            self.query_one("#pin", Input).focus()
            return
        self._try_sign_in()

    def _message(self, text: str, bad: bool = True) -> None:
        msg = self.query_one("#signin-msg", Static)
        msg.update(text)
        msg.set_class(bad, "bad")

    def _try_sign_in(self) -> None:
        officer_id = self.query_one("#officer-id", Input).value.strip()
        pin_input = self.query_one("#pin", Input)
        pin = pin_input.value
        pin_input.value = ""  # every refusal clears it: a PIN typed now is never prefixed later
        now = time.monotonic()
        if now < self._locked_until:
            self._show_wait()
            return
        if not officer_id or not pin:
            self._message(_("Type your officer id and your PIN."))
            return
        try:
            ok = self.app.officers.verify(officer_id, pin)
        except ImdmsError as err:
            self._message(f"{err.message}. {err.hint}")
            return
        if not ok:
            self._failures += 1
            audit = self.app.audit
            known = self._known_id(officer_id)  # never log what was typed: it may be a PIN
            who = {"officer_id": officer_id if known else None}
            if audit is not None:
                audit("pin_failed", **who, detail={"known_id": known, "try": self._failures})
            if self._failures >= MAX_TRIES:
                self._failures = 0
                self._locked_until = now + LOCKOUT_S
                if audit is not None:
                    audit("lockout", **who, detail={"seconds": int(LOCKOUT_S)})
                self._show_wait()
                if self._countdown is not None:
                    self._countdown.stop()
                self._countdown = self.set_interval(1.0, self._tick)
            else:
                self._message(_("Wrong officer id or PIN. Try again."))
            pin_input.focus()
            return
        self.app.sign_in(officer_id)

    def _known_id(self, officer_id: str) -> bool:
        try:
            return officer_id in self.app.officers.ids()
        except ImdmsError:
            return False

    def _show_wait(self) -> None:
        left = max(0, math.ceil(self._locked_until - time.monotonic()))
        self._message(_("Wrong id or PIN {tries} times: wait {seconds} s, then try again.").format(
            tries=MAX_TRIES, seconds=left))

    def _tick(self) -> None:
        """Count the lockout down live; say when the officer may try again."""
        if time.monotonic() < self._locked_until:
            self._show_wait()
            return
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self._message(_("You can try again: your id, Tab, your PIN, then Enter."), bad=False)
