"""CameraReader over a folder of images and a video file written with cv2.VideoWriter."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from config.models import CameraConfig
from drivers.base import ReaderStatus
from drivers.camera import CameraReader, parse_source
from imdms.cli import main
from imdms.errors import ReaderInitError
from ocr.specimens import specimens
from tests.ocr.render import blank_frame, render_frame

LSO = specimens()["lso_passport"]
ZAF = specimens()["zaf_passport"]


def config(source: Path | str, frames_to_agree: int = 2) -> CameraConfig:
    return CameraConfig(type="camera", source=str(source), frames_to_agree=frames_to_agree)


@pytest.fixture(scope="module")
def frames() -> dict[str, np.ndarray]:
    return {
        "blank": blank_frame(),
        "lso1": render_frame(LSO, angle=4.0, cap_px=20, seed=1),
        "lso2": render_frame(LSO, angle=7.0, cap_px=19, seed=2),
        "zaf1": render_frame(ZAF, angle=-5.0, cap_px=20, seed=3),
        "zaf2": render_frame(ZAF, angle=-3.0, cap_px=21, seed=4),
    }


def write_folder(path: Path, frames: dict[str, np.ndarray], order: list[str]) -> Path:
    path.mkdir()
    for i, key in enumerate(order):
        cv2.imwrite(str(path / f"{i:03d}.jpg"), frames[key])
    return path


def test_parse_source_kinds(tmp_path: Path) -> None:
    assert parse_source("0").kind == "device" and parse_source("0").target == 0
    assert parse_source("/dev/video2").kind == "device"
    assert parse_source("libcamerasrc ! videoconvert ! appsink").kind == "gstreamer"
    assert parse_source(str(tmp_path)).kind == "folder"
    assert parse_source(str(tmp_path / "a.mp4")).kind == "file"


def test_folder_reads_each_document_once(tmp_path: Path, frames: dict[str, np.ndarray]) -> None:
    folder = write_folder(
        tmp_path / "f", frames, ["blank", "lso1", "lso2", "lso1", "blank", "zaf1", "zaf2"]
    )
    with CameraReader(config(folder), name="cam") as reader:
        first = reader.read(timeout=60)
        assert (
            first is not None
            and first.ok
            and first.source == "camera"
            and first.reader_name == "cam"
        )
        assert first.mrz is not None and first.mrz.valid and list(first.raw_lines) == LSO
        assert first.confidence is not None and 0.5 <= first.confidence <= 1.0
        second = reader.read(timeout=60)  # the third LSO frame is the same document: skipped
        assert second is not None and list(second.raw_lines) == ZAF
        assert reader.read(timeout=60) is None  # end of the folder
        assert reader.state.status is ReaderStatus.WAITING


def test_video_file(tmp_path: Path, frames: dict[str, np.ndarray]) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (1280, 960))
    assert writer.isOpened()
    for key in ["blank", "lso1", "lso2", "lso1"]:
        writer.write(frames[key])
    writer.release()
    with CameraReader(config(path), name="cam") as reader:
        read = reader.read(timeout=60)
        assert read is not None and list(read.raw_lines) == LSO


def test_missing_file_is_an_init_error(tmp_path: Path) -> None:
    with pytest.raises(ReaderInitError):
        CameraReader(config(tmp_path / "nope.mp4"))


def test_unplugged_device_reports_disconnected_and_close_is_prompt() -> None:
    reader = CameraReader(config("/dev/video-imdms-absent"))
    try:
        assert reader.read(timeout=0.3) is None
        assert reader.state.status is ReaderStatus.DISCONNECTED
    finally:
        reader.close()
        reader.close()
    assert reader.read(0.01) is None


def test_cli_prints_one_json_line_per_image(
    tmp_path: Path, frames: dict[str, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    cv2.imwrite(str(a), frames["lso1"])
    cv2.imwrite(str(b), frames["blank"])
    rc = main(["ocr", str(a), str(b)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 1  # one image had no MRZ
    assert out[0]["mrz"] == LSO and out[0]["valid"] is True and out[0]["file"] == str(a)
    assert out[1]["mrz"] is None and out[1]["valid"] is False
    assert set(out[1]) >= {"file", "mrz", "valid", "confidence", "seconds"}


def test_cli_video(
    tmp_path: Path, frames: dict[str, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_folder(tmp_path / "v", frames, ["zaf1", "zaf2"])
    assert main(["ocr", "--video", str(folder)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mrz"] == ZAF and out["valid"] is True


def test_cli_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ocr", "/nonexistent/x.jpg"]) == 2
    assert "no such file" in capsys.readouterr().err


class _Unpluggable:
    """A stand-in for cv2 whose VideoCapture dies after some frames, is absent for two opens,
    then comes back (the USB cable pulled and put back). Frames are real rendered images."""

    CAP_V4L2 = 200
    CAP_GSTREAMER = 1800
    CAP_PROP_FRAME_WIDTH = 3
    CAP_PROP_FRAME_HEIGHT = 4
    CAP_PROP_BUFFERSIZE = 38

    def __init__(self, frames: list[np.ndarray]) -> None:
        self.frames = frames
        self.opens = 0

    def VideoCapture(self, *_args: object) -> _Unpluggable.Cap:  # noqa: N802 - cv2's name
        self.opens += 1
        return _Unpluggable.Cap(self, present=self.opens not in (2, 3))

    class Cap:
        def __init__(self, owner: _Unpluggable, present: bool) -> None:
            self.owner, self.present, self.n = owner, present, 0

        def isOpened(self) -> bool:  # noqa: N802
            return self.present

        def set(self, *_args: object) -> bool:
            return True

        def read(self) -> tuple[bool, np.ndarray | None]:
            self.n += 1
            if self.owner.opens == 1 and self.n > 2:
                return False, None  # unplugged
            return True, self.owner.frames[min(self.n, len(self.owner.frames)) - 1]

        def release(self) -> None:
            pass


def test_live_camera_reconnects_after_unplug(
    monkeypatch: pytest.MonkeyPatch, frames: dict[str, np.ndarray]
) -> None:
    import drivers.camera as camera

    fake = _Unpluggable([frames["blank"], frames["lso1"], frames["lso2"], frames["lso1"]])
    monkeypatch.setattr(camera, "import_cv2", lambda: fake)
    monkeypatch.setattr(camera, "BACKOFF_MIN_S", 0.01)
    seen: list[ReaderStatus] = []
    original = CameraReader._set_state

    def record(self: CameraReader, status: ReaderStatus, reason: str = "") -> None:
        seen.append(status)
        original(self, status, reason)

    monkeypatch.setattr(CameraReader, "_set_state", record)
    with CameraReader(config("0"), name="usb") as reader:
        read = None
        for _ in range(200):
            read = reader.read(timeout=0.2)
            if read is not None:
                break
        assert read is not None and list(read.raw_lines) == LSO
        assert fake.opens >= 4  # first open, two failed reopens, the recovery
        assert reader.state.status is ReaderStatus.CONNECTED
    # connected, lost (unplugged), then connected again
    first = seen.index(ReaderStatus.CONNECTED)
    lost = seen.index(ReaderStatus.DISCONNECTED, first)
    assert ReaderStatus.CONNECTED in seen[lost:]
