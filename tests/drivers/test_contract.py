"""The ReaderContract suite (tests/drivers/contract.py) on every backend that needs no device:
each class says how to build its reader and how to present a document to it."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from config.models import CameraConfig, SerialMrzConfig, SimulatorConfig
from drivers.base import DocumentRead, DocumentReader
from drivers.camera import CameraReader
from drivers.fake import FakeReader
from drivers.framing import encode
from drivers.serial_mrz import SerialMrzReader
from drivers.simulator import SimulatorReader
from drivers.wedge import WedgeReader
from tests.drivers.contract import ReaderContract
from tests.drivers.ptys import Pty
from tests.peers import require_peer


class TestFakeReader(ReaderContract):
    source = "fake"

    def make_reader(self) -> DocumentReader:
        return FakeReader(None, name="fake")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, FakeReader)
        reader.feed_lines(lines)


class TestSimulatorInProcess(ReaderContract):
    source = "simulator"

    def make_reader(self) -> DocumentReader:
        return SimulatorReader(SimulatorConfig.model_validate({}), name="sim")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, SimulatorReader)
        reader.present(lines)


class TestSimulatorThroughPty(TestSimulatorInProcess):
    def make_reader(self) -> DocumentReader:
        cfg = SimulatorConfig.model_validate({"pty_framing": "3m-rte"})
        return SimulatorReader(cfg, name="sim", baud=115200)


class TestSerialLoop(ReaderContract):
    source = "serial_mrz"
    framing = "desko-cute"

    def make_reader(self) -> DocumentReader:
        cfg = SerialMrzConfig.model_validate(
            {"type": "serial_mrz", "port": "loop://", "framing": self.framing}
        )
        return SerialMrzReader(cfg, name="serial")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, SerialMrzReader)
        reader._port.write(encode(lines, self.framing))


class TestSerialPty(ReaderContract):
    source = "serial_mrz"
    framing = "lines"

    @pytest.fixture(autouse=True)
    def _pty(self, tmp_path: Path) -> Iterator[None]:
        self.pty = Pty(tmp_path)
        yield
        self.pty.unplug()

    def make_reader(self) -> DocumentReader:
        cfg = SerialMrzConfig.model_validate(
            {"type": "serial_mrz", "port": self.pty.path, "framing": self.framing}
        )
        return SerialMrzReader(cfg, name="serial")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        self.pty.write(encode(lines, self.framing))


class TestWedgeReader(ReaderContract):
    source = "wedge"

    def make_reader(self) -> DocumentReader:
        self.clock = 100.0
        return WedgeReader(name="wedge")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        assert isinstance(reader, WedgeReader)
        self.clock += 2.0  # a pause since the last document
        for line in lines:
            for char in [*line, "\r"]:
                self.clock += 0.004
                reader.feed_key(char, self.clock)


class FrameQueue:
    """A live camera as CameraReader sees a cv2.VideoCapture: the frames the test puts in."""

    def __init__(self) -> None:
        self.frames: queue.Queue[Any] = queue.Queue()
        self.stopped = threading.Event()

    def isOpened(self) -> bool:  # noqa: N802 - mirrors cv2.VideoCapture
        return True

    def read(self) -> tuple[bool, Any]:
        while not self.stopped.is_set():
            try:
                return True, self.frames.get(timeout=0.05)
            except queue.Empty:
                continue
        return False, None

    def release(self) -> None:
        self.stopped.set()


class QueuedCamera(CameraReader):
    """The real CameraReader (grab thread, OCR, fusion) over a FrameQueue. Its source is a
    folder, so frames are replayed without dropping: documents presented before a read are all
    read, in order."""

    def __init__(self, config: CameraConfig, name: str = "camera") -> None:
        import numpy as np

        self.capture = FrameQueue()
        self.capture.frames.put(np.zeros((16, 16, 3), np.uint8))  # a first frame: CONNECTED
        super().__init__(config, name)

    def _open(self) -> Any:
        return self.capture

    def _close(self) -> None:
        self.capture.stopped.set()
        super()._close()


class TestCameraReader(ReaderContract):
    """A document is presented as two rendered photos of it (the fusion wants two agreeing
    frames), then an empty view: it has left."""

    source = "camera"

    @pytest.fixture(autouse=True)
    def _camera_peers(self, tmp_path: Path) -> None:
        pytest.importorskip("cv2", reason="the camera extra is not installed")
        from tests.ocr.render import OCRB

        require_peer("fonts-ocr-b", OCRB.exists())
        self.folder = tmp_path

    def make_reader(self) -> DocumentReader:
        config = CameraConfig(type="camera", source=str(self.folder), frames_to_agree=2)
        return QueuedCamera(config, name="camera")

    def present(self, reader: DocumentReader, lines: Sequence[str]) -> None:
        import numpy as np

        from tests.ocr.render import render_frame

        assert isinstance(reader, QueuedCamera)
        for seed in (1, 2):
            reader.capture.frames.put(render_frame(lines, angle=2.0 + seed, cap_px=20, seed=seed))
        for _ in range(3):  # drivers.camera.GONE_AFTER_FRAMES
            reader.capture.frames.put(np.zeros((16, 16, 3), np.uint8))

    def read_one(self, reader: DocumentReader) -> DocumentRead:
        got = reader.read(30)  # OCR of two frames: ~0.4 s, much more on a loaded CI box
        assert got is not None, "no DocumentRead within 30 s"
        return got

    def test_unreadable_characters_fail_with_reason(self, reader: DocumentReader) -> None:
        pytest.skip("a camera sees pixels, not '?' characters; a frame it cannot read is never "
                    "accepted (tests/ocr/test_camera.py)")
