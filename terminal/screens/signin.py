"""Officer sign-in: officer id + PIN (checked against the scrypt hashes in the officers file)."""

from __future__ import annotations

import math
import time

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from imdms.errors import ImdmsError
from terminal.screens.base import BoothScreen
from terminal.widgets.status_bar import StatusBar

MAX_TRIES = 5
LOCKOUT_S = 30.0


class SignInScreen(BoothScreen[None]):
    AUTO_FOCUS = "#officer-id"

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
            yield Static("IMDMS border terminal - officer sign-in", classes="title")
            yield Label("Officer id")
            yield Input(placeholder="your officer id", id="officer-id", compact=True)
            yield Label("PIN")
            yield Input(placeholder="PIN", password=True, id="pin", compact=True)
            yield Static(self.notice or "Type your id, Tab, your PIN, then Enter.",
                         id="signin-msg", markup=False)
            if demo_pin:
                yield Static(
                    f"DEMO: officer id [b]demo[/b], PIN [b]{demo_pin}[/b]. No real data.",
                    id="demo-hint",
                )

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
            self._message("Type your officer id and your PIN.")
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
                self._message("Wrong officer id or PIN. Try again.")
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
        self._message(f"Wrong id or PIN {MAX_TRIES} times: wait {left} s, then try again.")

    def _tick(self) -> None:
        """Count the lockout down live; say when the officer may try again."""
        if time.monotonic() < self._locked_until:
            self._show_wait()
            return
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self._message("You can try again: your id, Tab, your PIN, then Enter.", bad=False)
