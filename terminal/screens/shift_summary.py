"""This officer's shift in figures: records.stats.summarise over the records saved since
sign-in (the same function the central report uses, so the two agree)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from records.codes import RefusalReason, TipIndicator
from records.stats import CellKey, Summary
from terminal.booking import local_hhmm
from terminal.i18n import N_, _
from terminal.labels import label, tip_label
from terminal.photo import stats_view
from terminal.screens.base import BoothScreen
from terminal.widgets.keybar import KeyBar
from terminal.widgets.status_bar import StatusBar


def headline(summary: Summary, started: str) -> Text:
    undocumented = sum(summary.undocumented.values())
    minors = sum(summary.minors.values())
    alone = sum(summary.unaccompanied_minors.values())  # unaccompanied: no adult, no group
    text = Text(_("Shift since {time}: ").format(time=local_hhmm(started) if started else '?'),
                style="bold")
    text.append(_("{persons} persons  in {entries}  out {exits}  minors {minors} ({alone} alone)"
                  "  no document {undocumented}").format(
        persons=summary.persons, entries=summary.entries, exits=summary.exits, minors=minors,
        alone=alone, undocumented=undocumented))
    text.append("\n")
    text.append(refusals_line(summary))
    text.append("\n")
    text.append(category_line(summary))
    return text


def category_line(summary: Summary) -> Text:
    """How the categories were set (records.stats.category_source): the booth's proposal
    confirmed, a proposal changed, or chosen with none."""
    by_source: dict[str, int] = {}
    for key, n in summary.breakdowns["category_source"].items():
        source = CellKey.parse(key).parts[1]
        by_source[source] = by_source.get(source, 0) + n
    return Text(_("Category as proposed {confirmed}  proposal changed {changed}  chosen {chosen}")
                .format(confirmed=by_source.get("PROPOSED_CONFIRMED", 0),
                        changed=by_source.get("PROPOSAL_CHANGED", 0),
                        chosen=by_source.get("CHOSEN", 0)))


def refusals_line(summary: Summary) -> Text:
    """Refusals on their own line: the figures above count only those who crossed."""
    refused = summary.refused
    text = Text(_("Refused {n}").format(n=refused), style="bold red" if refused else "")
    by_reason: dict[str, int] = {}
    for key, n in summary.refusals.items():
        parts = CellKey.parse(key).parts  # direction, reason[, post][, period]
        reason = parts[1] if len(parts) > 1 else parts[0]
        by_reason[reason] = by_reason.get(reason, 0) + n
    if by_reason:
        text.append(": " + "; ".join(f"{_reason_label(r)} {n}"
                                     for r, n in sorted(by_reason.items())))
    return text


def _reason_label(code: str) -> str:
    try:
        return label(RefusalReason(code))
    except ValueError:  # UNKNOWN, or a reason from a newer code list
        return code.replace("_", " ").lower()


def sensitive_text(summary: Summary) -> Text:
    s = summary.sensitive
    text = Text(_("Indicators (restricted)") + "\n", style="bold")
    text.append(_("persons flagged: {n}").format(n=s.persons_flagged) + "\n")
    for code, n in s.indicators.items():
        try:
            name = tip_label(TipIndicator(code))
        except ValueError:
            name = code
        text.append(f"{n:>3} {name}\n")
    if s.referrals:
        text.append(_("Referrals") + "\n", style="bold")
        for code, n in s.referrals.items():
            text.append(f"{n:>3} {code.replace('_', ' ').lower()}\n")
    return text


class ShiftSummaryScreen(BoothScreen[None]):
    BINDINGS = [Binding("escape,f6", "back", N_("Back"))]
    AUTO_FOCUS = "#cells"

    def compose(self) -> ComposeResult:
        shift = self.app.shift
        records = [stats_view(r) for r in shift.records] if shift else []  # no photos
        self.summary = self.app.summarise(records)
        yield StatusBar()
        yield Static(headline(self.summary, shift.started_at if shift else ""), id="sum-head")
        with Horizontal(id="sum-body"):
            yield DataTable(id="cells", cursor_type="row")
            with Vertical(id="sum-side"):
                yield Static(sensitive_text(self.summary), id="sum-tip")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#cells", DataTable)
        table.add_columns(_("dir"), _("sex"), _("age"), _("nat"), "n")
        for key, n in self.summary.cells.items():
            cell = CellKey.parse(key).named(self.summary.dimensions)
            table.add_row(cell["direction"], cell["sex"].lower(), cell["age_band"],
                          cell["nationality"], str(n))

    def action_back(self) -> None:
        self.app.pop_screen()
