"""Frequent crossers: the booth proposes the category and purpose of the same document's last
crossing at this booth (issue 21 item 1), so a mineworker's weekly crossing is one key.

Memory only, for the life of the booth process (any officer), bounded: a digest of the
document (terminal/saving.document_key, never the number) -> the codes of its last crossing
and when. Nothing personal is kept, and nothing reaches the disk. The proposal is marked on
screen; the record says whether it was confirmed (`category_proposed` True), overridden
(False) or there was none (None).

With the broker up, the centre's history answer (terminal/history_panel.py) may carry the
document's last category and purpose anywhere in the country: `propose_from_centre` uses them
when this booth has no proposal of its own (booth memory first: it is what this post saw)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from records.codes import Direction, Purpose, TravellerCategory
from records.record import CrossingRecord
from records.rules import default_purpose
from terminal.booking import Case, local_hhmm
from terminal.history import LocalHistory
from terminal.i18n import _
from terminal.labels import label
from terminal.saving import document_key

KEEP = 20_000  # documents remembered (a day and a half at Maseru Bridge); oldest go first


@dataclass(frozen=True, slots=True)
class Proposal:
    category: TravellerCategory
    purpose: Purpose | None
    recorded_at: str  # of the crossing it comes from (shown as "last time HH:MM")


class CrosserMemory:
    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self.seen = LocalHistory(keep)  # the last crossings per document: the offline history
        # digest -> (category, {direction: purpose}, recorded_at)
        self._last: OrderedDict[str, tuple[TravellerCategory, dict[Direction, Purpose | None],
                                           str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._last)

    def remember(self, record: CrossingRecord) -> None:
        """A crossing saved at this booth (corrections count: they say what was right)."""
        self.seen.remember(record)
        key = document_key(record)
        if key is None or record.traveller_category is None:
            return
        if record.void is not None:
            self._last.pop(key, None)
            return
        _, purposes, _ = self._last.pop(key, (None, {}, ""))
        purposes = {**purposes, record.direction: record.purpose}
        self._last[key] = (record.traveller_category, purposes, record.recorded_at)
        while len(self._last) > self._keep:
            self._last.popitem(last=False)

    def proposal(self, case: Case) -> Proposal | None:
        """The last crossing's category, and its purpose in this direction (else the default
        purpose for that category and direction)."""
        mrz = case.read.mrz if case.read is not None else None
        key = document_key(mrz)
        if key is None or key not in self._last:
            return None
        category, purposes, when = self._last[key]
        d = case.form.direction
        purpose = purposes[d] if d in purposes else default_purpose(category, d)
        return Proposal(category, purpose, when)

    def propose(self, case: Case) -> Proposal | None:
        """Preselect the proposal in `case` (a new read, not a correction)."""
        if case.original is not None:
            return None
        found = self.proposal(case)
        if found is not None:
            case.form.traveller_category = found.category
            case.form.purpose = found.purpose
            case.proposed = (found.category, found.purpose)
            case.proposed_at = found.recorded_at
        return found


    def propose_from_centre(self, case: Case, category: str | None, purpose: str | None,
                            at: str | None) -> bool:
        """Preselect the centre's last category (codes only) when the booth had none to
        propose (the caller checks the officer has not chosen yet); True when it did."""
        if case.original is not None or case.proposed is not None or category is None:
            return False
        try:
            cat = TravellerCategory(category)
            last = Purpose(purpose) if purpose else None
        except ValueError:  # a code this booth's release does not know
            return False
        d = case.form.direction
        # the centre's purpose is its last crossing's, maybe the other way: a direction's own
        # default (a citizen entering returns home) comes first
        chosen = default_purpose(cat, d) or last
        case.form.traveller_category = cat
        case.form.purpose = chosen
        case.proposed = (cat, chosen)
        case.proposed_at = at
        return True


def proposal_text(case: Case) -> str:
    """"MINEWORKER, WORK" of the proposal (empty without one)."""
    if case.proposed is None:
        return ""
    category, purpose = case.proposed
    return label(category) + (f", {label(purpose)}" if purpose is not None else "")


def proposal_banner(case: Case) -> str:
    when = local_hhmm(case.proposed_at) if case.proposed_at else "?"
    return _("LAST TIME ({when}): {proposal}  PROPOSED  F4 same as last time").format(
        when=when, proposal=proposal_text(case))
