"""Categorisation and decision: preselected from the config and the document so a clean
passport is Enter, Enter. Enter or F2 saves; the screen says "saved" only after the outbox
accepted the record.

The case texts are in `categorise_text`, the form's fields in `categorise_form`."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static

from records.codes import (
    Decision,
    Direction,
    MinorTravel,
    Purpose,
    RefusalReason,
    Relationship,
    TransportMode,
    TransportRole,
    TravellerCategory,
)
from records.rules import default_purpose
from terminal.booking import Case, Problem
from terminal.i18n import N_, _
from terminal.labels import label, options
from terminal.referrals import case_note
from terminal.saving import NotSaved, Saved
from terminal.screens import categorise_form
from terminal.screens.base import BoothScreen
from terminal.screens.categorise_form import FIELD_WIDGETS
from terminal.screens.categorise_text import adult_label, adults_for, case_heading, indicator_text
from terminal.screens.photo import ask_photo, set_record_limit
from terminal.widgets.choice import Choice
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar
from terminal.widgets.tick import TickBox
from terminal.widgets.upper_input import UpperInput

__all__ = ["FIELD_WIDGETS", "CategoriseScreen", "adult_label", "adults_for", "case_heading",
           "indicator_text"]


class CategoriseScreen(BoothScreen[None]):
    BINDINGS = [
        Binding("f2", "save", N_("Save")),
        Binding("f7", "indicators", N_("Indicators")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self._saving = False
        f = case.form
        self._purpose_default = default_purpose(f.traveller_category, f.direction)

    def compose(self) -> ComposeResult:
        f = self.case.form
        adults = adults_for(self.app.recent_records(), f.direction)
        yield StatusBar()
        yield Static(case_heading(self.case), id="case-heading")
        with Grid(id="form"):
            yield Label(_("Direction"))
            yield Choice([(label(d), d) for d in Direction], f.direction, id="direction")
            yield Label(_("Category"))
            yield Choice(options(TravellerCategory), f.traveller_category,
                         blank=_("-- choose --"), id="category")
            yield Label(_("Purpose"))
            yield Choice(options(Purpose), f.purpose, blank=_("-- not asked --"), id="purpose")
            yield Label(_("Stay days"))
            yield Input("" if f.intended_stay_days is None else str(f.intended_stay_days),
                        placeholder=_("days"), restrict=r"[0-9]*", max_length=5, compact=True,
                        id="stay")
            yield Label(_("Transport"))
            yield Choice(options(TransportMode), f.transport_mode, blank=_("-- not asked --"),
                         id="transport")
            yield Label(_("Role"))
            yield Choice(options(TransportRole), f.transport_role, blank=_("-- not asked --"),
                         id="role")
            yield Label(_("Residence"))
            yield UpperInput(f.country_of_residence or "", placeholder=_("ISO alpha-3"),
                             max_length=3, restrict=r"[A-Z]*", compact=True, id="residence")
            yield Label(_("Decision"))
            blank = _("-- choose --") if self.case.alerts else None
            yield Choice(options(Decision), f.decision if self.case.decision_chosen else None,
                         blank=blank, id="decision")
            yield Label(_("Refusal"))
            yield Choice(options(RefusalReason), f.refusal_reason, blank=_("-- reason --"),
                         id="refusal")
            yield Label(_("With adult"))
            yield Choice(adults, f.accompanying_adult_ref, blank=_("-- none --"), id="adult")
            yield Label(_("Relation"))
            yield Choice(options(Relationship), f.relationship_to_adult, blank=_("-- choose --"),
                         id="relationship")
            yield Label(_("Consent"))
            yield TickBox(_("letter seen"), bool(f.consent_letter_seen), compact=True,
                           id="consent")
            yield Label(_("Notes"))
            yield Input(f.notes or "", placeholder=_("optional"), compact=True, id="notes")
            yield Label(_("Reason") if self.case.original is not None else "")
            yield Input(self.case.amend_reason, placeholder=_("why corrected"), compact=True,
                        id="amend-reason")
        yield Static(indicator_text(self.case), id="indicator-line")
        yield Static("", id="problems")
        yield Static(
            _("Enter/F2 save  Tab next  Left/Right or a letter: change  F7 indicators"),
            id="form-keys",
        )
        yield KeyBar()

    def on_mount(self) -> None:
        self._sync_enabled()
        problems = self.case.problems()
        self._show_problems(problems)
        target = self._first_problem_widget(problems)
        adult = self.query_one("#adult", Choice)
        if target is None and self.case.minor and adult.value is None and adult.option_count > 1:
            target = adult  # a minor: the usual next step is linking the accompanying adult
        (target or self.query_one("#decision")).focus()

    def _sync_enabled(self) -> None:
        refused = self.query_one("#decision", Choice).value is Decision.REFUSED
        self.query_one("#refusal", Choice).disabled = not refused
        linkable = self.case.minor or self.case.form.accompanying_adult_ref is not None
        adult_set = self.query_one("#adult", Choice).value is not None
        self.query_one("#adult", Choice).disabled = not linkable
        self.query_one("#relationship", Choice).disabled = not adult_set
        self.query_one("#consent", Checkbox).disabled = not adult_set
        self.query_one("#amend-reason", Input).disabled = self.case.original is None
        self.query_one("#amend-reason", Input).display = self.case.original is not None

    def on_choice_changed(self, event: Choice.Changed) -> None:
        self._sync_enabled()
        if event.choice.id in ("direction", "category"):
            self._follow_defaults()
        if event.choice.id == "direction":  # adults going the other way are not offered
            adult = self.query_one("#adult", Choice)
            adult.set_options(adults_for(self.app.recent_records(), event.value), adult.value)
        if event.choice.id == "adult":
            self.case.form.accompanying_adult_ref = event.value
            self.query_one("#indicator-line", Static).update(indicator_text(self.case))
        self._recheck()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._recheck()

    def _recheck(self) -> None:
        """A "To save: ..." line goes as soon as the field it names is filled (no stale hint)."""
        if self._saving or not self.is_mounted:
            return
        if not str(self.query_one("#problems", Static).render()).startswith(_("To save: ")):
            return
        self.collect()
        self._show_problems(self.case.problems())

    def _follow_defaults(self) -> None:
        """Defaults follow the form's current values: a purpose that was only the default for
        the old direction or category becomes the default for the new ones (an EXIT is never
        saved as a returning resident because the booth faced ENTRY)."""
        purpose = self.query_one("#purpose", Choice)
        direction = self.query_one("#direction", Choice).value
        category = self.query_one("#category", Choice).value
        new = default_purpose(category, direction)
        if purpose.value is None or purpose.value == self._purpose_default:
            purpose.value = new  # None is the blank "not asked"
        self._purpose_default = new

    def collect(self) -> None:
        """Read the widgets back into the Case (terminal/screens/categorise_form.py)."""
        categorise_form.collect(self)

    def _show_problems(self, problems: list[Problem]) -> None:
        box = self.query_one("#problems", Static)
        if problems:
            box.update(Text(_("To save: ") + "; ".join(p.text for p in problems),
                            style="bold red"))
        else:
            box.update("")

    def _first_problem_widget(self, problems: list[Problem]) -> Widget | None:
        """The field of the first problem (problems come in screen order)."""
        for problem in problems:
            selector = FIELD_WIDGETS.get(problem.field)
            if selector is not None:
                return self.query_one(selector)
        return None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_key(self, event: Any) -> None:
        if event.key == "enter" and isinstance(self.focused, (Choice, Checkbox)):
            event.stop()
            event.prevent_default()
            self.action_save()

    def action_save(self) -> None:
        if self._saving:
            return
        self.collect()
        problems = self.case.problems()
        self._show_problems(problems)
        if problems:
            target = self._first_problem_widget(problems)
            if target is not None:
                target.focus()
            return
        set_record_limit(self.case, self.app)  # bounds the photos (terminal/photo.py)
        try:
            record = self.case.build(self.app.booth())
        except Exception as err:  # never a traceback: say what to do
            self.app.show_error(_("Cannot build the record"), err.__class__.__name__,
                           _("check the entries; if it persists, call the technician"))
            return
        if self.case.original is None and self.case.form.needs_minor_travel(
                minor=self.case.minor):
            self._ask_minor_travel()
            return
        if ask_photo(self, self.case, self.action_save):  # no document, minor, referral
            return
        self._saving = True
        self.query_one("#problems", Static).update(Text(_("Saving..."), style="bold"))
        self.app.save(record, self)

    def _ask_minor_travel(self) -> None:
        from terminal.screens.minor_alone import MinorAloneModal

        self.app.push_screen(MinorAloneModal(), callback=self._minor_travel_chosen)

    def _minor_travel_chosen(self, travel: MinorTravel | None) -> None:
        """The officer said how the minor travels: it goes into the record, then save."""
        if travel is None:
            self.query_one("#adult", Choice).focus()
            return
        f = self.case.form
        f.minor_travel = travel
        if travel is MinorTravel.ALONE_WITH_CONSENT:
            f.consent_letter_seen = True
        elif travel is MinorTravel.REFERRED:
            f.decision = Decision.REFERRED
            self.query_one("#decision", Choice).value = Decision.REFERRED
        self.action_save()

    def on_saved(self, message: Saved) -> None:
        self._saving = False
        record = message.record
        what = _("Correction saved") if record.amends else _("Saved")
        if record.amends:
            self.app.audit("correction", detail={"amends": record.amends})
        case = case_note(record, self.app.shift.records if self.app.shift else [])
        self.app.back_to_scan(f"{what}: ..{record.record_id[-6:]} "
                              f"({record.decision.value.lower()})" + (f", {case}" if case else ""))

    def on_not_saved(self, message: NotSaved) -> None:
        self._saving = False  # the booth shows why; F2 tries again

    def on_screen_resume(self) -> None:
        self._saving = False
        self.query_one("#indicator-line", Static).update(indicator_text(self.case))
        problems = self.query_one("#problems", Static)
        if str(problems.render()).startswith(_("Saving...")):
            problems.update("")

    def action_indicators(self) -> None:
        from terminal.screens.indicators import open_indicators

        self.collect()
        open_indicators(self, self.case)

    def action_back(self) -> None:
        self.collect()
        self.app.pop_screen()
