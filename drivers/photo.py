"""Still photos of a traveller: the booth camera's newest frame (drivers/camera.py), a simulated
camera for the demo and tests, and the chip's DG2 face, each as a size-bounded JPEG.

A photo is personal data: it is never logged, and it leaves this module only as bytes for the
record's sealed part (terminal/photo.py). Sizes are bytes of JPEG; timeouts are seconds.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from imdms.errors import ImdmsError

if TYPE_CHECKING:
    from drivers.camera import CameraReader

log = logging.getLogger(__name__)
PORTRAIT = (240, 320)  # width, height: enough to recognise a face, small enough to send
JPEG_SOI = b"\xff\xd8\xff"
QUALITIES = (85, 70, 55, 40, 30)
MIN_SIDE = 48  # below this a face is not recognisable: give up instead


class PhotoUnavailable(ImdmsError):
    """No photo could be taken (no camera, no frame, OpenCV missing)."""


class PhotoCamera(Protocol):
    """What the booth's photo step needs: one JPEG of at most `max_bytes`, or PhotoUnavailable."""

    def take(self, max_bytes: int, timeout: float = 2.0) -> bytes: ...


def _cv2() -> Any:
    from drivers.camera import import_cv2

    try:
        return import_cv2()
    except ImdmsError as err:
        raise PhotoUnavailable(err.message, err.hint) from err


def encode_jpeg(image: Any, max_bytes: int, *, size: tuple[int, int] | None = PORTRAIT) -> bytes:
    """A BGR image as a JPEG of at most `max_bytes`.

    size: crop the centre to that portrait aspect and scale down to it (None: keep the image's
    own framing, as for a chip face). Quality, then size, is lowered until the JPEG fits.
    Raises PhotoUnavailable when even the smallest version is larger."""
    cv2 = _cv2()
    h, w = image.shape[:2]
    if size is not None:
        width, height = size
        crop_w = min(w, h * width // height)
        crop_h = min(h, crop_w * height // width)
        x, y = (w - crop_w) // 2, (h - crop_h) // 2
        image = image[y:y + crop_h, x:x + crop_w]
        h, w = crop_h, crop_w
        scale = min(1.0, width / max(1, w))
    else:
        scale = min(1.0, PORTRAIT[1] / max(1, h))
    while min(w, h) * scale >= MIN_SIDE:
        dims = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = image if dims == (w, h) else cv2.resize(image, dims, interpolation=cv2.INTER_AREA)
        for quality in QUALITIES:
            ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok and len(buf) <= max_bytes:
                return bytes(buf.tobytes())
        scale *= 0.8
    raise PhotoUnavailable(f"no JPEG of the photo fits {max_bytes} bytes",
                           "raise [outbox] max_record_bytes (docs/terminal.md, Photos)")


def face_jpeg(face: bytes, max_bytes: int) -> bytes:
    """The chip's face (PNG or JPEG, as drivers/chip decodes DG2) as a JPEG within `max_bytes`:
    a small JPEG is kept byte for byte (it is what the chip holds), anything else re-encoded."""
    if face.startswith(JPEG_SOI) and len(face) <= max_bytes:
        return face
    import numpy as np

    cv2 = _cv2()
    image = cv2.imdecode(np.frombuffer(face, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PhotoUnavailable("the chip's face image cannot be decoded",
                               "the document reference photo is not kept; the crossing is not "
                               "affected")
    return encode_jpeg(image, max_bytes, size=None)


class CameraPhoto:
    """Photos from the booth's camera reader: its newest frame, OCR undisturbed."""

    def __init__(self, reader: CameraReader) -> None:
        self.reader = reader

    def take(self, max_bytes: int, timeout: float = 2.0) -> bytes:
        frame = self.reader.snapshot(timeout)
        if frame is None:
            raise PhotoUnavailable("the camera gave no picture",
                                   "check the camera (cable, lens cover) and press R to retry")
        return encode_jpeg(frame, max_bytes)


class SimulatedPhotoCamera:
    """The demo's and tests' camera: a drawn portrait (head and shoulders), a little different
    each time so two photos are never the same bytes."""

    def __init__(self) -> None:
        self.taken = 0

    def take(self, max_bytes: int, timeout: float = 2.0) -> bytes:
        import numpy as np

        cv2 = _cv2()
        self.taken += 1
        shade = 150 + (self.taken * 23) % 80
        img = np.full((480, 640, 3), (200, 190, 180), dtype=np.uint8)
        cv2.rectangle(img, (0, 0), (639, 479), (170, 160, 150), 8)
        cv2.ellipse(img, (320, 470), (170, 110), 0, 180, 360, (90, 60, 40), -1)  # shoulders
        cv2.ellipse(img, (320, 220), (85, 110), 0, 0, 360, (60, 90, shade), -1)  # head
        for dx in (-32, 32):  # eyes
            cv2.circle(img, (320 + dx, 200), 9, (30, 30, 30), -1)
        cv2.ellipse(img, (320, 270), (30, 12), 0, 0, 180, (40, 40, 120), 3)  # mouth
        return encode_jpeg(img, max_bytes)


def camera_for(readers: list[Any]) -> PhotoCamera | None:
    """The booth's photo camera: its camera reader if it has one (the same device that reads
    MRZs), the simulated one when it only has the demo's or tests' readers, else None."""
    from drivers.camera import CameraReader

    for reader in readers:
        if isinstance(reader, CameraReader):
            return CameraPhoto(reader)
    if readers and all(getattr(r, "source", "") in ("simulator", "fake") for r in readers):
        return SimulatedPhotoCamera()
    return None
