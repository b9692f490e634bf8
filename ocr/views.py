"""The views of one frame the reader searches, cheapest and likeliest first.

    for view in views(gray, bgr): ...view.rotation, view.image, view.blobs(locate_pass)...

As given; turned a quarter either way (a booklet photographed sideways); with coloured print
removed (a red or blue stamp over the zone: the brightest channel keeps only dark ink); and
enlarged 2x for small frames (thumbnails, 5-8 px glyphs). The reader goes past the first only
while nothing valid is read, so an upright document costs nothing more.

A quarter turn maps pixels exactly, so the turned views reuse the components found in the
upright frame (the adaptive threshold's square block turns with the frame) instead of
thresholding the frame again; only the thin-line pass, whose opening kernel is not square,
is thresholded anew. The turned image itself is made only when a candidate needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import cv2
from numpy.typing import NDArray

from ocr.locate import Blobs, blobs

Img = NDArray[Any]  # an OpenCV image (grey or BGR, uint8)
Pass = tuple[int, bool]

SMALL_SIDE = 1280  # frames up to this size are also read at 2x (thumbnails: 5-8 px glyphs)
_TURNS = ((90, cv2.ROTATE_90_CLOCKWISE), (270, cv2.ROTATE_90_COUNTERCLOCKWISE))


def brightest(bgr: Img) -> Img:
    """Per pixel the brightest channel: coloured print (a red or blue stamp) turns light,
    dark ink stays dark."""
    b, g, r = cv2.split(bgr)
    out: Img = cv2.max(cv2.max(b, g), r)
    return out


class View:
    """One view: `rotation` is how the document would lie in the frame (degrees
    counterclockwise) if it reads upright in this view. `find(view, pass)` gives its ink
    components; by default the view's own image is thresholded."""

    def __init__(
        self,
        rotation: int,
        make: Callable[[], Img],
        find: Callable[[View, Pass], Blobs] | None = None,
    ) -> None:
        self.rotation = rotation
        self._make = make
        self._find = find or _own_blobs
        self._image: Img | None = None

    @property
    def image(self) -> Img:
        if self._image is None:
            self._image = self._make()
        return self._image

    def blobs(self, locate_pass: Pass) -> Blobs:
        return self._find(self, locate_pass)


def _own_blobs(view: View, p: Pass) -> Blobs:
    return blobs(view.image, locate_pass=p)


def views(gray: Img, bgr: Img | None) -> Iterator[View]:
    """The views of a frame in the order the reader tries them."""
    upright: dict[Pass, Blobs] = {}

    def find_upright(_view: View, p: Pass) -> Blobs:
        if p not in upright:
            upright[p] = blobs(gray, locate_pass=p)
        return upright[p]

    def turned(degrees: int, code: int) -> View:
        def find(view: View, p: Pass) -> Blobs:
            if p[1]:  # thin-line opening: its kernel does not turn with the frame
                return _own_blobs(view, p)
            return find_upright(view, p).turned(degrees)

        return View(degrees, lambda: cv2.rotate(gray, code), find)

    yield View(0, lambda: gray, find_upright)
    for degrees, code in _TURNS:
        yield turned(degrees, code)
    if bgr is not None:
        yield View(0, lambda: brightest(bgr))
    if max(gray.shape[:2]) <= SMALL_SIDE:
        yield View(0, lambda: cv2.resize(gray, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC))
