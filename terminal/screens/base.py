"""The base of every booth screen: `self.app` is the BoothApp, typed, so a screen calls the
booth's methods without `Any` or `getattr`. Screens navigate through the app (its `open_*`,
`back_to_scan`, `sign_out`), never by importing each other's modules for it."""

from __future__ import annotations

from typing import TypeVar

from textual import getters
from textual.screen import ModalScreen, Screen

from terminal.booth import BoothApp

R = TypeVar("R")


class BoothScreen(Screen[R]):
    app = getters.app(BoothApp)


class BoothModal(ModalScreen[R]):
    app = getters.app(BoothApp)
