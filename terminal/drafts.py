"""The open traveller kept over an idle sign-out: taken from the screens as they are, and put
back at the same officer's next sign-in (in memory only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.i18n import _

if TYPE_CHECKING:
    from terminal.booking import Case
    from terminal.booth import BoothApp


def idle_notice(officer_id: str, idle_signout_s: float, *, kept: bool) -> str:
    """What the sign-in screen says after an idle sign-out."""
    minutes = max(1, round(idle_signout_s / 60))
    notice = _("Signed out after {minutes} min without a key press.").format(minutes=minutes)
    if kept:
        notice += _(" The open traveller is kept: sign in as {officer_id} to continue.").format(
            officer_id=officer_id)
    return notice


def take_open_case(app: BoothApp) -> Case | None:
    """The traveller being processed (its form as on screen), or None."""
    from terminal.screens.categorise import CategoriseScreen
    from terminal.screens.document import DocumentScreen
    from terminal.screens.indicators import IndicatorsScreen

    for screen in reversed(app.screen_stack):
        if isinstance(screen, IndicatorsScreen):
            screen.apply()
        if isinstance(screen, CategoriseScreen):
            screen.collect()
            return screen.case
        if isinstance(screen, DocumentScreen) and screen.case is not None:
            return screen.case
    return None


def restore_draft(app: BoothApp, case: Case) -> None:
    """Open the kept traveller again where the officer left it."""
    from terminal.screens.categorise import CategoriseScreen
    from terminal.screens.document import DocumentScreen

    if case.read is not None and case.original is None:
        app.push_screen(DocumentScreen(case.read, case=case))
    else:
        app.push_screen(CategoriseScreen(case))
    app.notify(_("The traveller you had open is back: check it and save it."), timeout=8)
