"""The scan screen's group keys (F7 open/close, F9 join by code): what the officer is told."""

from __future__ import annotations

from typing import TYPE_CHECKING

from terminal.i18n import _

if TYPE_CHECKING:
    from terminal.booth import BoothApp
    from terminal.screens.scan import ScanScreen


def toggle_group(app: BoothApp, scan: ScanScreen) -> None:
    groups = app.groups
    if groups.open is not None:
        closed = groups.close()
        assert closed is not None
        scan.flash(_("Group {code} closed: {members} saved here.").format(
            code=closed.code, members=closed.members))
        return
    opened = groups.start(app.settings.border_post, app.settings.clock().date())
    scan.flash(_("GROUP {code} open (F7 closes); other booths join: F9, {code}").format(
        code=opened.code))


def ask_group_code(app: BoothApp, scan: ScanScreen) -> None:
    from terminal.screens.group_code import GroupCodeModal

    def typed(code: str | None) -> None:
        if code is None:
            return
        app.groups.start(app.settings.border_post, app.settings.clock().date(), code)
        scan.flash(_("GROUP {code} joined: each document read joins it (F7 closes)").format(
            code=code))

    app.push_screen(GroupCodeModal(), callback=typed)
