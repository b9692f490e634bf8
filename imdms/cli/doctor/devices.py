"""Doctor checks of the devices: the document reader, the camera and the chip reader (pcscd).

The reader checks open the device, so they may fail with "busy" while the kiosk runs: stop it
first (sudo systemctl stop imdms-terminal) and start it again afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imdms.checks import CheckResult, Status
from imdms.cli.doctor.base import DoctorContext, skip_without_config

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
BUSY_HINT = "if the kiosk runs, stop it first: sudo systemctl stop imdms-terminal"


def _open_and_report(section: Any, name: str) -> CheckResult:
    from drivers.base import ReaderStatus
    from drivers.registry import open_reader
    from imdms.errors import ImdmsError

    try:
        reader = open_reader(section, name)
    except ImdmsError as err:
        hint = err.hint or BUSY_HINT
        return CheckResult(name, Status.FAIL, f"{section.type}: {err.message}", hint)
    try:
        state = reader.state
    finally:
        reader.close()
    where = getattr(section, "port", None) or getattr(section, "source", None) or ""
    label = f"{section.type} {where}".strip()
    if state.status in (ReaderStatus.ERROR, ReaderStatus.DISCONNECTED):
        return CheckResult(name, Status.FAIL, f"{label}: {state.status.value}"
                           + (f" ({state.reason})" if state.reason else ""),
                           "check the cable and `ls -l /dev/imdms-*`; " + BUSY_HINT)
    if section.type == "simulator":
        return CheckResult(name, Status.WARN, "the simulator is configured (demo, no real reads)",
                           "set [reader] type = \"serial_mrz\" (or camera/chip) in terminal.toml")
    return CheckResult(name, Status.PASS, f"{label} opened ({state.status.value})")


def check_reader(ctx: DoctorContext) -> CheckResult:
    """Open [reader] through drivers.registry.open_reader, report its state, close it."""
    if (skipped := skip_without_config(ctx, "reader")) is not None:
        return skipped
    assert ctx.config is not None
    return _open_and_report(ctx.config.reader, "reader")


def _camera_source(source: str) -> int | str:
    return int(source) if source.isdigit() else source


def check_camera(ctx: DoctorContext) -> CheckResult:
    """Grab one frame from the configured camera (OpenCV), or find images in a test folder."""
    if (skipped := skip_without_config(ctx, "camera")) is not None:
        return skipped
    assert ctx.config is not None
    section = ctx.config.reader
    if section.type != "camera":
        return CheckResult("camera", Status.SKIP, "no camera configured")
    source = section.source
    folder = Path(source)
    if folder.is_dir():
        images = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES]
        if not images:
            return CheckResult("camera", Status.FAIL, f"folder {folder} holds no images",
                               "point [reader] source at a camera or a folder of images")
        return CheckResult("camera", Status.WARN, f"reading {len(images)} image(s) from {folder} "
                           "(test mode)", "set [reader] source = \"/dev/imdms-camera\"")
    try:
        import cv2
    except ImportError:
        return CheckResult("camera", Status.FAIL, "OpenCV is not installed",
                           "reinstall with the extras: sudo deploy/install.sh")
    try:  # OpenCV's own warnings would repeat this line
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    except AttributeError:
        pass
    capture = cv2.VideoCapture(_camera_source(source))
    try:
        if not capture.isOpened():
            return CheckResult("camera", Status.FAIL, f"camera {source} cannot be opened",
                               "check the USB cable and `ls -l /dev/imdms-camera`; " + BUSY_HINT)
        ok, frame = capture.read()
    finally:
        capture.release()
    if not ok or frame is None:
        return CheckResult("camera", Status.FAIL, f"camera {source} opened but gave no frame",
                           "unplug and replug the camera; try another USB port")
    height, width = frame.shape[:2]
    if float(frame.mean()) < 8.0:
        return CheckResult("camera", Status.WARN, f"{width}x{height} frame is almost black",
                           "remove the lens cover; check the document light")
    return CheckResult("camera", Status.PASS, f"camera {source} gives {width}x{height} frames")


def _pcsc_readers() -> list[str]:
    from smartcard.System import readers

    return [str(r) for r in readers()]


def check_chip(ctx: DoctorContext) -> CheckResult:
    """pcscd answers and lists the chip reader named in the config; a [chip] reader is opened."""
    if (skipped := skip_without_config(ctx, "chip")) is not None:
        return skipped
    assert ctx.config is not None
    section = ctx.config.chip if ctx.config.chip is not None else ctx.config.reader
    if section.type != "chip":
        return CheckResult("chip", Status.SKIP, "no chip reader configured")
    lister = ctx.list_pcsc_readers or _pcsc_readers
    try:
        names = lister()
    except ImportError:
        return CheckResult("chip", Status.FAIL, "pyscard is not installed",
                           "reinstall with the extras: sudo deploy/install.sh")
    except Exception as err:  # pyscard raises its own classes when pcscd is not there
        return CheckResult("chip", Status.FAIL, f"pcscd does not answer ({err.__class__.__name__})",
                           "sudo systemctl enable --now pcscd.socket; then sudo systemctl "
                           "restart pcscd")
    if not names:
        return CheckResult("chip", Status.FAIL, "pcscd sees no chip reader",
                           "plug the reader in; check `lsusb` and `pcsc_scan`")
    wanted = section.reader
    chosen = next((n for n in names if wanted.lower() in n.lower()), None)
    if chosen is None:
        return CheckResult("chip", Status.FAIL, f"no reader matches {wanted!r}; pcscd lists: "
                           + ", ".join(names), "fix [chip] reader in terminal.toml (a substring)")
    if ctx.config.chip is not None:  # a second reader beside [reader]: open it like the first
        opened = _open_and_report(ctx.config.chip, "chip")
        if opened.status is not Status.PASS:
            return opened
    return CheckResult("chip", Status.PASS, f"pcscd lists {len(names)} reader(s); using {chosen!r}")
