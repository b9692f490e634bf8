"""The real pipeline (OpenCV + our OCR-B model) on real corpus frames and rendered frames."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ocr.reader import read_lines, read_mrz_image
from ocr.specimens import ICAO_SPECIMENS, specimens
from tests.ocr.helpers import DEV_CORPUS
from tests.ocr.render import blank_frame, render_frame

BLUR = 4.0  # px sigma: the zone is still found, its glyphs no longer read

# one of each document type and difficulty; a handful keeps the suite fast
FILES = [
    "easy/e0000.jpg",
    "easy/e0001.jpg",
    "medium/m0020.jpg",
    "medium/m0025.jpg",
    "hard/h0041.jpg",
    "hard/h0052.jpg",
]


@pytest.mark.parametrize("file", FILES)
def test_reads_corpus_frames_exactly(dev_corpus: dict[str, dict[str, Any]], file: str) -> None:
    rec = dev_corpus[file]
    r = read_mrz_image(DEV_CORPUS / file)
    assert r.valid and r.accepted
    assert list(r.lines or []) == rec["mrz"]
    assert r.doc_type == rec["doc_type"]
    assert 0.5 <= r.confidence <= 1.0
    assert read_lines(str(DEV_CORPUS / file)) == rec["mrz"]


@pytest.mark.parametrize("name", ["lso_passport", "zaf_id_card", "td2_document", "minor_passport"])
@pytest.mark.parametrize(("angle", "cap"), [(5.0, 22.0), (-13.0, 15.0)])
def test_reads_rendered_specimens(name: str, angle: float, cap: float) -> None:
    lines = specimens()[name]
    r = read_mrz_image(render_frame(lines, angle=angle, cap_px=cap))
    assert r.accepted
    assert list(r.lines or []) == lines


def test_upside_down_document_reads() -> None:
    lines = specimens()["lso_passport"]
    r = read_mrz_image(render_frame(lines, angle=178.0, cap_px=20))
    assert r.accepted and list(r.lines or []) == lines


def test_frame_without_document_returns_nothing_quickly() -> None:
    t0 = time.perf_counter()
    r = read_mrz_image(blank_frame())
    assert r.lines is None and not r.valid and not r.accepted
    assert time.perf_counter() - t0 < 1.0


def test_mrz_cut_by_the_frame_edge_is_not_completed() -> None:
    # the bottom line runs off the frame: never guess the missing glyphs
    lines = specimens()["lso_passport"]
    r = read_mrz_image(render_frame(lines, angle=6.0, cap_px=22, size=(1280, 700)))
    assert not r.accepted


def test_unreadable_path_raises_value_error(tmp_path: Any) -> None:
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"not a jpeg")
    with pytest.raises(ValueError):
        read_mrz_image(bad)


@pytest.mark.parametrize(
    ("lines", "doc_type"),
    [
        (specimens()["mrva_visa"], "MRVA"),
        (specimens()["mrvb_visa"], "MRVB"),
        (ICAO_SPECIMENS["icao_specimen_mrva"], "MRVA"),
        (ICAO_SPECIMENS["icao_specimen_mrvb"], "MRVB"),
    ],
)
def test_visas_are_decoded_as_visas(lines: list[str], doc_type: str) -> None:
    """MRV-A/MRV-B have their own fields and checks: never decoded as TD3/TD2 (issue 15,
    cause 2: two were read exactly and then refused, a filler was "repaired" into a digit)."""
    r = read_mrz_image(render_frame(lines, angle=4.0, cap_px=20, seed=3))
    assert r.doc_type == doc_type
    assert r.valid and r.accepted
    assert list(r.lines or []) == lines


# cv2.ROTATE_90_CLOCKWISE = 0, cv2.ROTATE_90_COUNTERCLOCKWISE = 2
@pytest.mark.parametrize(("degrees", "code"), [(90, 0), (270, 2)])
def test_turned_components_are_those_of_the_turned_frame(degrees: int, code: int) -> None:
    """The quarter-turn views reuse the upright frame's ink components: they must be exactly
    what thresholding the turned frame gives."""
    import cv2
    import numpy as np

    from ocr.locate import blobs

    gray = cv2.cvtColor(
        render_frame(specimens()["lso_passport"], angle=7.0, cap_px=18), cv2.COLOR_BGR2GRAY
    )
    a = blobs(gray).turned(degrees)
    b = blobs(cv2.rotate(gray, code))
    assert a.shape == b.shape
    key_a, key_b = np.lexsort(a.stats.T[::-1]), np.lexsort(b.stats.T[::-1])
    assert np.array_equal(a.stats[key_a], b.stats[key_b])


def test_a_frame_that_reads_nothing_valid_stops_at_the_decode_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every fallback view of an unreadable zone is bounded by MAX_DECODES grids (p99)."""
    import cv2

    import ocr.reader as reader
    from ocr.decode import decode

    calls: list[int] = []

    def counting(*args: Any) -> Any:
        calls.append(1)
        return decode(*args)

    monkeypatch.setattr(reader, "decode", counting)
    frame = render_frame(specimens()["lso_passport"], angle=3.0, cap_px=20)
    r = read_mrz_image(cv2.GaussianBlur(frame, (0, 0), BLUR))  # found, too blurred to read
    assert not r.accepted
    assert r.lines is not None and not r.valid
    assert 0 < len(calls) <= reader.MAX_DECODES
