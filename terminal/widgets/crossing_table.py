"""The table of this shift's crossings, one row per record (no full names or numbers: initials
and the document's last digits): the scan screen's recent list and the correction picker."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import DataTable

from records.codes import CaptureMethod
from records.record import CrossingRecord
from terminal.booking import local_hhmm
from terminal.i18n import N_, _
from terminal.labels import SEX_SHORT, doc_tail, initials

# TRANSLATORS: column headings of the crossings table: keep them as short (80 columns)
CROSSING_COLUMNS = (N_("time"), N_("dir"), N_("doc"), N_("name"), N_("nat"), N_("sex"),
                    N_("age"), N_("decision"), N_("flags"), N_("ref"))


def crossing_row(record: CrossingRecord) -> tuple[str, ...]:
    flags = []
    if record.minor:
        flags.append(_("MINOR"))
    if record.tip_indicators:
        flags.append(_("TIP"))
    if record.void is not None:
        flags.append(_("VOID"))
    elif record.amends:
        flags.append(_("AMEND"))
    if record.capture_method is CaptureMethod.NO_DOCUMENT:
        flags.append(_("NO DOC"))
    return (
        local_hhmm(record.recorded_at),
        record.direction.value[:5],
        doc_tail(record.document_number),
        initials(record.surname, record.given_names) or "-",
        record.nationality or "-",
        SEX_SHORT.get(record.sex, "?"),
        record.age_band or "?",
        record.decision.value.lower(),
        " ".join(flags),
        record.record_id[-6:],
    )


class CrossingTable(DataTable[str]):
    """`show(records)` replaces the rows (keyed by record id); `picked()` is the record under
    the cursor."""

    def __init__(self, *, id: str | None = None, zebra_stripes: bool = False) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=zebra_stripes)
        self._records: list[CrossingRecord] = []

    def on_mount(self) -> None:
        self._columns()

    def _columns(self) -> None:
        if not self.columns:  # the screen may fill it before this widget's own mount
            self.add_columns(*(_(c) for c in CROSSING_COLUMNS))

    def show(self, records: Sequence[CrossingRecord]) -> None:
        self._columns()
        self.clear()
        self._records = list(records)
        for record in self._records:
            self.add_row(*crossing_row(record), key=record.record_id)

    def picked(self) -> CrossingRecord | None:
        if not self._records:
            return None
        return self._records[min(self.cursor_row, len(self._records) - 1)]
