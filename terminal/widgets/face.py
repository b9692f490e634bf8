"""The chip's face photo: the terminal's graphics protocol where it surely has one (kitty,
WezTerm, iTerm2, or IMDMS_PHOTO=graphics: drawn by textual-image), otherwise coloured
half-blocks (two pixels per cell, fine on the Linux console's 16 colours), or a placeholder.

textual-image probes the terminal with escape sequences when imported; on terminals that answer
slowly (tmux, the Linux console) the answer would land in the officer's input, so it is only
imported where graphics are known to work, and before the app starts (`set_mode`)."""

from __future__ import annotations

import io
import os
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from terminal.i18n import _

GRAPHIC_TERMINALS = {"xterm-kitty", "wezterm"}
GRAPHIC_PROGRAMS = {"WezTerm", "iTerm.app", "kitty"}
_MODE = "halfcell"


def set_mode(mode: str = "auto") -> str:
    """"auto" (graphics only on known terminals), "graphics", "halfcell" or "none".

    Call before the app starts: choosing graphics probes the terminal."""
    global _MODE
    env = os.environ.get("IMDMS_PHOTO", "")
    if env in ("graphics", "halfcell", "none"):
        mode = env
    if mode == "auto":
        known = (os.environ.get("TERM", "") in GRAPHIC_TERMINALS
                 or os.environ.get("TERM_PROGRAM", "") in GRAPHIC_PROGRAMS)
        mode = "graphics" if known else "halfcell"
    if mode == "graphics":
        try:
            import textual_image.widget  # noqa: F401  (probes now, while it still can)
        except Exception:
            mode = "halfcell"
    _MODE = mode
    return mode


class HalfBlockFace(Widget):
    """An image drawn with '▀': foreground = upper pixel, background = lower pixel."""

    DEFAULT_CSS = "HalfBlockFace { width: 22; height: 12; }"

    def __init__(self, picture: Any, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="face")
        self._picture = picture.convert("RGB")
        self._rows: list[Strip] = []
        self._built_for: tuple[int, int] = (0, 0)

    def _build(self, width: int, height: int) -> None:
        pic = self._picture.copy()
        pic.thumbnail((width, height * 2))
        w, h = pic.size
        pixels = pic.load()
        rows = []
        for y in range(0, h - h % 2 if h > 1 else h, 2):
            segments = []
            for x in range(w):
                top = pixels[x, y]
                bottom = pixels[x, y + 1] if y + 1 < h else top
                style = Style(color=f"rgb({top[0]},{top[1]},{top[2]})",
                              bgcolor=f"rgb({bottom[0]},{bottom[1]},{bottom[2]})")
                segments.append(Segment("▀", style))
            rows.append(Strip(segments, w))
        self._rows = rows
        self._built_for = (width, height)

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if size != self._built_for and size[0] > 0 and size[1] > 0:
            self._build(*size)
        return self._rows[y] if y < len(self._rows) else Strip.blank(self.size.width)


def face_widget(image: bytes | None, *, id: str | None = None) -> Widget:
    if not image:
        return Static(_("no chip photo"), id=id, classes="face-none")
    if _MODE == "none":
        return Static(_("photo on chip\n(not shown here)"), id=id, classes="face-none")
    try:
        from PIL import Image as PILImage

        picture = PILImage.open(io.BytesIO(image))
        picture.load()
    except Exception:  # an undecodable photo must not block the traveller
        return Static(_("photo cannot\nbe shown"), id=id, classes="face-none")
    if _MODE == "graphics":
        try:
            from textual_image.widget import Image

            return Image(picture, id=id, classes="face")
        except Exception:
            pass
    return HalfBlockFace(picture, id=id)
