"""The categorisation screen's form: which widget edits a field named by a Problem, and
reading the widgets back into the Case. See terminal/screens/categorise.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Checkbox, Input

from records.codes import MinorTravel
from terminal.widgets.choice import Choice

if TYPE_CHECKING:
    from terminal.screens.categorise import CategoriseScreen

# Form / Case field named by a Problem -> the widget that edits it
FIELD_WIDGETS = {
    "decision": "#decision", "traveller_category": "#category",
    "refusal_reason": "#refusal", "relationship_to_adult": "#relationship",
    "purpose": "#purpose", "intended_stay_days": "#stay", "amend_reason": "#amend-reason",
}  # fmt: skip


def collect(screen: CategoriseScreen) -> None:
    """Read the widgets back into the screen's Case (form, decision, link to an adult)."""
    f = screen.case.form
    f.direction = screen.query_one("#direction", Choice).value
    f.traveller_category = screen.query_one("#category", Choice).value
    f.purpose = screen.query_one("#purpose", Choice).value
    stay = screen.query_one("#stay", Input).value.strip()
    f.intended_stay_days = int(stay) if stay.isdigit() else None
    f.transport_mode = screen.query_one("#transport", Choice).value
    f.transport_role = screen.query_one("#role", Choice).value
    residence = screen.query_one("#residence", Input).value.strip().upper()
    f.country_of_residence = residence or None
    decision = screen.query_one("#decision", Choice).value
    screen.case.decision_chosen = decision is not None
    if decision is not None:
        f.decision = decision
    f.refusal_reason = screen.query_one("#refusal", Choice).value
    adult = screen.query_one("#adult", Choice).value
    f.accompanying_adult_ref = adult
    f.relationship_to_adult = screen.query_one("#relationship", Choice).value if adult else None
    alone = f.minor_travel is MinorTravel.ALONE_WITH_CONSENT  # the letter seen, no adult
    f.consent_letter_seen = screen.query_one("#consent", Checkbox).value if adult else \
        (True if alone else None)
    if adult:
        f.minor_travel = None  # linked here after all
    if adult:
        parent = next((r for r in screen.app.recent_records() if r.record_id == adult), None)
        f.group_id = screen.case.group_id or \
            ((parent.group_id or parent.record_id) if parent else adult)
    elif screen.case.original is None:
        f.group_id = screen.case.group_id  # the open group's, else none
    f.notes = screen.query_one("#notes", Input).value.strip() or None
    screen.case.amend_reason = screen.query_one("#amend-reason", Input).value
