"""A person without a document (irregular situation): counted, never turned away by the
software. Name as stated, sex, birth year or approximate age, claimed nationality, notes; then
categorise (and the photo step: terminal/screens/photo.py). The name is sealed with the record
and lets the centre link this person's crossings (central/trace)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Input, Label, Static

from records.codes import Sex
from terminal.booking import Case, PersonWithoutDocument, default_form
from terminal.i18n import N_, _
from terminal.labels import options
from terminal.screens.base import BoothScreen
from terminal.widgets.choice import Choice
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar
from terminal.widgets.upper_input import UpperInput


class NoDocumentScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("f2", "next", N_("Continue")),
        Binding("escape", "back", N_("Back")),
    ]
    AUTO_FOCUS = "#nd-name"

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(_("Person without a document: record what you can; they are counted."),
                     classes="title")
        with Grid(id="nd-form"):
            yield Label(_("Name"))
            yield Input(placeholder=_("as the person states it (optional)"), max_length=120,
                        compact=True, id="nd-name")
            yield Label(_("Sex"))
            yield Choice(options(Sex), Sex.UNKNOWN, id="nd-sex")
            yield Label(_("Birth year"))
            yield Input(placeholder=_("e.g. 1990, if known"), max_length=4, restrict=r"[0-9]*",
                        compact=True, id="nd-year")
            yield Label(_("Approx. age"))
            yield Input(placeholder=_("years, if no birth year"), max_length=3,
                        restrict=r"[0-9]*", compact=True, id="nd-age")
            yield Label(_("Nationality"))
            yield UpperInput(placeholder=_("claimed, alpha-3 (XXX unknown)"), max_length=3,
                             restrict=r"[A-Z]*", compact=True, id="nd-nat")
            yield Label(_("Notes"))
            yield Input(placeholder=_("circumstances (optional)"), compact=True, id="nd-notes")
        yield Static("", id="nd-problems")
        yield Static(_("Tab next field   Enter/F2 continue to the decision   Esc back"),
                     classes="keys")
        yield KeyBar()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#nd-problems", Static).update("")  # the hint was about the old value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def on_key(self, event: Any) -> None:
        if event.key == "enter" and isinstance(self.focused, Choice):
            event.stop()
            self.action_next()

    def action_next(self) -> None:
        from terminal.screens.categorise import CategoriseScreen

        booth = self.app.booth()
        year_text = self.query_one("#nd-year", Input).value.strip()
        age_text = self.query_one("#nd-age", Input).value.strip()
        nat = self.query_one("#nd-nat", Input).value.strip().upper() or "XXX"
        today = booth.clock().date()
        year = int(year_text) if year_text else None
        problems = []
        if year is not None and not today.year - 120 <= year <= today.year:
            problems.append(_("birth year between {first} and {last}").format(
                first=today.year - 120, last=today.year))
        if len(nat) != 3:
            problems.append(_("nationality is 3 letters (XXX when unknown)"))
        if problems:
            self.query_one("#nd-problems", Static).update(_("To continue: ") + "; ".join(problems))
            return
        person = PersonWithoutDocument(
            sex=self.query_one("#nd-sex", Choice).value,
            birth_year=year,
            approx_age=int(age_text) if age_text and year is None else None,
            nationality=nat,
            notes=self.query_one("#nd-notes", Input).value.strip() or None,
            stated_name=" ".join(self.query_one("#nd-name", Input).value.split()) or None,
        )
        age = person.approx_age if year is None else today.year - year
        form = default_form(booth, nationality=nat, age=age)
        form.traveller_category = None  # no document: the officer must say who this is
        form.purpose = None
        case = Case(form=form, person=person, age=age, nationality=nat)
        self.app.push_screen(CategoriseScreen(case))

    def action_back(self) -> None:
        self.app.pop_screen()
