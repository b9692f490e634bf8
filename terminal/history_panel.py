"""The document screen's history panel (issue 18 item 4): the centre's answer, or "history
unavailable" and what this booth saw of the document in the last 30 days.

The question runs in a worker thread (terminal/history.py gives up after 1 s): the officer can
categorise and save meanwhile, and an answer for a traveller no longer on screen is dropped.
Shown only where a broker is configured (a post without one has no centre to ask; its own
memory is the "LAST TIME" banner). Flags inform the officer; they decide nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.widgets import Static

from messaging.history_wire import Answer
from records.clock import parse_iso
from terminal.booking import Case
from terminal.history import HistoryClient, Seen
from terminal.i18n import N_, _, ngettext

FLAG_TEXTS = {
    "EXIT_WITHOUT_ENTRY": N_("exit without a recorded entry"),
    "ENTRY_WITHOUT_EXIT": N_("entry without an exit before it"),
    "OPEN_STAY": N_("open stay (no exit since the last entry)"),
    "OVERSTAY": N_("overstay"),
    "MINOR_FREQUENT": N_("minor crossing often"),
    "MINOR_NEW_ADULT": N_("minor with a different adult than last time"),
}


def _day(at: str) -> str:
    try:
        return parse_iso(at).astimezone().strftime("%d %b %H:%M")
    except ValueError:
        return "--"


def _line(at: str, direction: str, post: str | None = None) -> str:
    return f"{_day(at)} {direction}" + (f" {post}" if post else "")


def answer_text(ans: Answer) -> Text:
    """The centre's answer as the officer reads it."""
    out = Text(_("HISTORY (centre): "), style="bold")
    if not ans.found:
        out.append(_("no earlier crossing recorded"))
        return out
    out.append("; ".join(_line(c.at, c.direction, c.post) for c in reversed(ans.crossings)))
    flags = [_(FLAG_TEXTS.get(f, f)) for f in ans.flags]
    if ans.minor_30d >= 2:
        flags.append(ngettext("minor: %d crossing in 30 days", "minor: %d crossings in 30 days",
                              ans.minor_30d) % ans.minor_30d)
    if flags:
        out.append("\n" + _("FLAGS: ") + ", ".join(flags), style="bold red")
    return out


def unavailable_text(seen: list[Seen]) -> Text:
    out = Text(_("HISTORY UNAVAILABLE"), style="bold yellow")
    if not seen:
        out.append("  " + _("this booth, last 30 days: no crossing"))
        return out
    out.append("  " + _("this booth, last 30 days: "))
    out.append("; ".join(_line(s.at, s.direction) for s in reversed(seen)))
    return out


class HistoryPanel(Static):
    """One line or two under the document's fields; blank until the question is asked."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__("", id=id)
        self._case: Case | None = None
        self._on_proposal: Callable[[], None] = lambda: None
        self._untouched: Callable[[], bool] = lambda: False

    def look_up(self, case: Case | None, untouched: Callable[[], bool],
                on_proposal: Callable[[], None]) -> None:
        """Ask about `case`'s document (replaces any question in flight). untouched(): the
        officer has changed nothing yet (only then may the centre's answer propose)."""
        app = self.app
        self._case = case
        self._untouched = untouched
        self._on_proposal = on_proposal
        mrz = case.read.mrz if case is not None and case.read is not None else None
        forwarding = bool(getattr(getattr(app, "settings", None), "forwarding", False))
        self.display = forwarding and mrz is not None
        if not self.display or case is None or mrz is None:
            return
        self.update(Text(_("History: asking the centre..."), style="dim"))
        outbox = getattr(app, "outbox", None)
        client = HistoryClient(app.settings.data_dir,  # type: ignore[attr-defined]
                               getattr(outbox, "sealer", None))
        self._ask(case, client)

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _ask(self, case: Case, client: HistoryClient) -> None:
        mrz = case.read.mrz if case.read is not None else None
        got = client.ask(mrz) if mrz is not None else None
        self.app.call_from_thread(self._show, case, got)

    def _show(self, case: Case, got: Answer | None) -> None:
        if case is not self._case:
            return  # another traveller is on screen now
        crossers = getattr(self.app, "crossers", None)
        if got is None:
            booth = getattr(self.app, "booth", None)  # its injected clock (tests: fixed)
            now = booth().clock() if callable(booth) else datetime.now(UTC)
            seen = crossers.seen.recent(case.read.mrz if case.read else None, now) \
                if crossers else []
            self.update(unavailable_text(seen))
            return
        self.update(answer_text(got))
        last_at = got.crossings[-1].at if got.crossings else None
        if crossers is not None and self._untouched() and crossers.propose_from_centre(
                case, got.category, got.purpose, last_at):
            self._on_proposal()
