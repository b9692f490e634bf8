"""Photos as the booth makes them: bounded JPEGs from the camera reader, the simulated camera
and the chip face, and the budget that keeps a sealed record under [outbox] max_record_bytes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from config.models import CameraConfig
from drivers.camera import CameraReader
from drivers.fake import FakeReader
from drivers.photo import (
    CameraPhoto,
    PhotoUnavailable,
    SimulatedPhotoCamera,
    camera_for,
    encode_jpeg,
    face_jpeg,
)
from terminal.photo import DEFAULT_RECORD_LIMIT, photo_budget
from tests.faces.helpers import jpeg


def noisy(w: int = 640, h: int = 480) -> np.ndarray:
    return np.random.default_rng(7).integers(0, 255, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize("limit", [4000, 8000, 12_288])
def test_a_photo_is_a_jpeg_within_its_bound(limit: int) -> None:
    out = encode_jpeg(noisy(), limit)  # noise: the hardest image to compress
    assert out.startswith(b"\xff\xd8\xff") and len(out) <= limit
    img = cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[0] > img.shape[1]  # portrait


def test_a_bound_too_small_is_a_clear_error() -> None:
    with pytest.raises(PhotoUnavailable) as err:
        encode_jpeg(noisy(), 300)
    assert "max_record_bytes" in err.value.hint


def test_the_simulated_camera_gives_a_new_photo_each_time() -> None:
    cam = SimulatedPhotoCamera()
    a, b = cam.take(8000), cam.take(8000)
    assert a != b and len(a) <= 8000 and len(b) <= 8000


def test_a_small_chip_jpeg_is_kept_byte_for_byte_a_png_is_reencoded() -> None:
    small = jpeg(6000)
    assert face_jpeg(small, 8000) == small
    ok, png = cv2.imencode(".png", noisy(300, 400))
    out = face_jpeg(bytes(png.tobytes()), 8000)
    assert out.startswith(b"\xff\xd8\xff") and len(out) <= 8000
    with pytest.raises(PhotoUnavailable):
        face_jpeg(b"not an image", 8000)


def test_the_camera_reader_hands_its_newest_frame_to_the_photo(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), noisy())
    reader = CameraReader(CameraConfig.model_validate({"type": "camera",
                                                        "source": str(tmp_path)}))
    try:
        cam = camera_for([reader])
        assert isinstance(cam, CameraPhoto)
        assert len(cam.take(8000, timeout=5)) <= 8000
    finally:
        reader.close()


def test_which_camera_a_booth_uses() -> None:
    fake = FakeReader(name="mrz")
    try:
        assert isinstance(camera_for([fake]), SimulatedPhotoCamera)  # demo and tests
        assert camera_for([]) is None
    finally:
        fake.close()


def test_the_budget_keeps_two_photos_inside_the_record_limit() -> None:
    assert photo_budget(DEFAULT_RECORD_LIMIT, 1) == 6912
    assert photo_budget(DEFAULT_RECORD_LIMIT, 2) == 3456
    assert photo_budget(49_152, 2) == 12_288  # the schema's ceiling
