"""Camera MRZ reader: OpenCV capture + the ocr/ pipeline + multi-frame fusion.

`source` (config) is one of
  * a device index ("0") or path ("/dev/video0"): V4L2 webcam,
  * a GStreamer pipeline (contains "!"), e.g. the Pi camera through libcamerasrc,
  * a video file, or
  * a folder of images (read in name order; for tests and replays).

A grab thread owns the capture. For live sources it keeps only the newest frame (no stale
buffer: OCR is slower than the camera), and when the camera disappears (unplugged) it reports
DISCONNECTED and reopens with capped backoff, logging the first failure and the recovery only.
Files and folders are replayed frame by frame without dropping, then the reader reports the end.

`read(timeout)` OCRs frames until the fusion accepts a document (all check digits pass, unchecked
fields stable over `frames_to_agree` frames), and returns it once: the same document is not
returned again until it has left the view or another one was read.

`snapshot(timeout)` hands the newest frame to the booth's photo step (terminal/photo.py) as a
size-bounded JPEG (drivers/photo.py), without disturbing the OCR.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.models import CameraConfig
from drivers.base import DocumentRead, DocumentReader, ReaderStatus, utc_now
from imdms.errors import MrzError, ReaderInitError, ReaderUnavailable

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 10.0
GONE_AFTER_FRAMES = 3  # frames without an MRZ after which the last document counts as removed


def import_cv2() -> Any:
    try:
        import cv2
    except ImportError as err:
        raise ReaderUnavailable(
            "OpenCV is not installed",
            "install the camera extra: pip install 'imdms-terminal[camera]'",
        ) from err
    return cv2


@dataclass(frozen=True, slots=True)
class SourceSpec:
    kind: str  # "device" | "gstreamer" | "file" | "folder"
    target: Any  # int index, path or pipeline string

    @property
    def live(self) -> bool:
        return self.kind in ("device", "gstreamer")

    def describe(self) -> str:
        if self.kind == "gstreamer":
            return "GStreamer pipeline"
        return f"{self.kind} {self.target}"


def parse_source(source: str) -> SourceSpec:
    """Classify a config `source` string."""
    s = source.strip()
    if s.isdigit():
        return SourceSpec("device", int(s))
    if "!" in s:
        return SourceSpec("gstreamer", s)
    if s.startswith("/dev/"):
        return SourceSpec("device", s)
    p = Path(s)
    if p.is_dir():
        return SourceSpec("folder", p)
    return SourceSpec("file", p)


class _Folder:
    """VideoCapture-like reader over the images of a folder (name order)."""

    def __init__(self, path: Path, cv2: Any) -> None:
        self._cv2 = cv2
        self._files = sorted(f for f in path.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        self._i = 0

    def isOpened(self) -> bool:  # noqa: N802 - mirrors cv2.VideoCapture
        return True

    def read(self) -> tuple[bool, Any]:
        while self._i < len(self._files):
            f = self._files[self._i]
            self._i += 1
            img = self._cv2.imread(str(f))
            if img is not None:
                return True, img
        return False, None

    def release(self) -> None:
        self._i = len(self._files)


class CameraReader(DocumentReader):
    """DocumentReader over a camera, video file or image folder (see module docstring)."""

    source = "camera"

    def __init__(self, config: CameraConfig, name: str = "camera") -> None:
        super().__init__(name)
        self._cv2 = import_cv2()
        from ocr.backends import BACKENDS
        from ocr.fusion import MrzFusion

        if config.ocr_backend not in BACKENDS:
            raise ReaderInitError(
                f"unknown OCR backend {config.ocr_backend!r}", "use imdms or passporteye"
            )
        self.config = config
        self.spec = parse_source(config.source)
        if self.spec.kind == "file" and not Path(self.spec.target).exists():
            raise ReaderInitError(
                "the camera source is neither a device, a pipeline, a folder nor an existing file",
                'set [reader] source to a device index like "0", /dev/videoN, '
                "a GStreamer pipeline, a video file or a folder",
            )
        self._fusion = MrzFusion(frames_to_agree=config.frames_to_agree)
        self._cond = threading.Condition()
        self._frame: Any = None
        self._seq = 0  # frames grabbed
        self._taken = 0  # last frame handed to read()
        self._eof = False
        self._last_lines: tuple[str, ...] | None = None
        self._no_mrz = 0
        self.frames_read = 0
        self._set_state(ReaderStatus.WAITING, "opening the camera")
        self._thread = threading.Thread(target=self._grab_loop, name=f"camera-{name}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ capture
    def _open(self) -> Any:
        cv2 = self._cv2
        spec = self.spec
        if spec.kind == "folder":
            return _Folder(spec.target, cv2)
        if spec.kind == "gstreamer":
            cap = cv2.VideoCapture(spec.target, cv2.CAP_GSTREAMER)
        elif spec.kind == "device":
            cap = cv2.VideoCapture(spec.target, cv2.CAP_V4L2)
        else:
            cap = cv2.VideoCapture(str(spec.target))
        if not cap.isOpened():
            cap.release()
            return None
        if spec.live:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.config.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.config.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return cap

    def _grab_loop(self) -> None:
        cap: Any = None
        backoff = BACKOFF_MIN_S
        failing = False
        try:
            while not self._closed.is_set():
                if cap is None:
                    cap = self._open()
                    if cap is None:
                        if not self.spec.live:
                            self._finish("cannot open the video source: check the file")
                            return
                        if not failing:
                            log.warning("camera %s cannot be opened; retrying", self.name)
                            failing = True
                        self._set_state(
                            ReaderStatus.DISCONNECTED, "camera not found: check the cable; retrying"
                        )
                        self._closed.wait(backoff)
                        backoff = min(BACKOFF_MAX_S, backoff * 2)
                        continue
                ok, frame = cap.read()
                if not ok or frame is None:
                    cap.release()
                    cap = None
                    if not self.spec.live:
                        self._finish("end of the video or folder")
                        return
                    if not failing:
                        log.warning(
                            "camera %s stopped delivering frames (unplugged?); reconnecting",
                            self.name,
                        )
                        failing = True
                    self._set_state(
                        ReaderStatus.DISCONNECTED, "camera lost: check the cable; reconnecting"
                    )
                    continue
                if failing:
                    log.info("camera %s is delivering frames again", self.name)
                    failing = False
                backoff = BACKOFF_MIN_S
                if self.state.status is not ReaderStatus.CONNECTED:
                    self._set_state(ReaderStatus.CONNECTED, "")
                with self._cond:
                    self._frame = frame
                    self._seq += 1
                    self._cond.notify_all()
                    if not self.spec.live:  # replay: hand every frame over, drop none
                        while self._taken < self._seq and not self._closed.is_set():
                            self._cond.wait(0.5)
        finally:
            if cap is not None:
                cap.release()

    def _finish(self, reason: str) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()
        self._set_state(ReaderStatus.WAITING, reason)

    def _next_frame(self, deadline: float | None) -> Any:
        """The newest frame not yet OCRed, or None at timeout / end of replay / close."""
        with self._cond:
            while self._seq <= self._taken:
                if self._closed.is_set() or self._eof:
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(0.5 if remaining is None else min(0.5, remaining))
            self._taken = self._seq
            frame = self._frame
            self._cond.notify_all()
            return frame

    # ------------------------------------------------------------------ reading
    def read(self, timeout: float | None = None) -> DocumentRead | None:
        from ocr.backends import read_frame

        deadline = None if timeout is None else time.monotonic() + timeout
        started = utc_now()
        while not self._closed.is_set():
            frame = self._next_frame(deadline)
            if frame is None:
                return None
            result = read_frame(frame, self.config.ocr_backend)
            self.frames_read += 1
            if result.lines is None:
                self._no_mrz += 1
                if self._no_mrz >= GONE_AFTER_FRAMES:
                    self._last_lines = None  # the document left the view
            else:
                self._no_mrz = 0
            fused = self._fusion.add(result)
            if fused is None or fused.lines == self._last_lines:
                continue
            self._last_lines = fused.lines
            self._fusion.reset()
            return self._document(fused, started)
        return None

    def _document(self, fused: Any, started: Any) -> DocumentRead:
        from ocr.mrz import parse_mrz

        extra = {
            "frames": fused.frames,
            "agreeing_frames": fused.agreeing,
            "field_confidence": fused.field_confidence,
            "ocr_backend": self.config.ocr_backend,
        }
        try:
            mrz = parse_mrz(list(fused.lines))
        except MrzError as err:
            return DocumentRead(
                self.source,
                self.name,
                raw_lines=fused.lines,
                error=f"not an MRZ: {err.message}",
                started_at=started,
                confidence=fused.confidence,
                extra=extra,
            )
        return DocumentRead(
            self.source,
            self.name,
            raw_lines=fused.lines,
            mrz=mrz,
            started_at=started,
            finished_at=utc_now(),
            confidence=fused.confidence,
            extra=extra,
        )

    def snapshot(self, timeout: float = 2.0) -> Any:
        """The newest frame (a BGR array), waiting up to `timeout` s for one; None if none."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._frame is None and not self._closed.is_set() and not self._eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(min(0.2, remaining))
            return None if self._frame is None else self._frame.copy()

    def _close(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self._set_state(ReaderStatus.WAITING, "closed")
