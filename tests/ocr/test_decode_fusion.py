"""Check-digit-constrained decoding and multi-frame fusion on synthetic cell scores."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ocr.decode import decode, layout_for
from ocr.fusion import MrzFusion
from ocr.reader import OcrResult
from ocr.specimens import specimens
from tests.ocr.helpers import scores

LSO = specimens()["lso_passport"]
ZAF_ID = specimens()["zaf_id_card"]


def result(lines: list[str], lps: list[NDArray[np.float32]]) -> OcrResult:
    return OcrResult(
        lines=tuple(lines), valid=True, confidence=0.9, doc_type="TD3", cell_log_probs=tuple(lps)
    )


def test_clean_scores_decode_exactly_with_high_confidence() -> None:
    for lines in (LSO, ZAF_ID, specimens()["td2_document"]):
        lay = layout_for(len(lines), len(lines[0]))
        assert lay is not None
        d = decode(lay, scores(lines))
        assert d.valid and d.lines == lines
        assert d.confidence > 0.9


def test_visa_scores_decode_as_visas() -> None:
    for name, doc_type in (("mrva_visa", "MRVA"), ("mrvb_visa", "MRVB")):
        lines = specimens()[name]
        lps = scores(lines)
        lay = layout_for(len(lines), len(lines[0]), lps)
        assert lay is not None and lay.doc_type == doc_type
        d = decode(lay, lps)
        assert d.valid and d.lines == lines and d.doc_type == doc_type
        # and a passport of the same shape stays a passport
        assert layout_for(2, 44, scores(LSO)).doc_type == "TD3"  # type: ignore[union-attr]


def test_a_misread_check_digit_is_corrected_by_the_checks() -> None:
    lay = layout_for(2, 44)
    assert lay is not None
    true = LSO[1][19]
    wrong = "0" if true != "0" else "1"
    d = decode(lay, scores(LSO, {(1, 19): (wrong, 1.0)}))
    assert d.valid and d.lines == LSO
    assert d.cost > 0


def test_letters_in_digit_positions_are_mapped_by_class() -> None:
    lay = layout_for(2, 44)
    assert lay is not None
    # an 'O' scored over '0' in a date, where only digits are legal
    col = next(i for i in range(13, 19) if LSO[1][i] == "0")
    d = decode(lay, scores(LSO, {(1, col): ("O", 2.0)}))
    assert d.lines == LSO


def test_garbage_is_not_valid() -> None:
    rng = np.random.default_rng(3)
    lay = layout_for(2, 44)
    assert lay is not None
    lps = [np.log(rng.dirichlet(np.ones(37) * 0.3, 44)).astype(np.float32) for _ in range(2)]
    d = decode(lay, lps)
    assert not d.valid or d.confidence < 0.5


def test_fusion_accepts_after_frames_agree() -> None:
    f = MrzFusion(frames_to_agree=2)
    assert f.add(result(LSO, scores(LSO))) is None  # one frame is not enough
    fused = f.add(result(LSO, scores(LSO)))
    assert fused is not None and list(fused.lines) == LSO
    assert fused.frames == 2 and fused.agreeing == 2 and 0.5 < fused.confidence <= 1.0


def test_fusion_accumulates_evidence_over_noisy_frames() -> None:
    # each frame has a different check digit wrong, by more than the checks can repair alone
    f = MrzFusion(frames_to_agree=2)
    a = scores(
        LSO,
        {
            (1, 27): ("0" if LSO[1][27] != "0" else "1", 3.0),
            (1, 19): ("0" if LSO[1][19] != "0" else "1", 3.0),
        },
    )
    b = scores(LSO)
    f.add(result(LSO, a))
    fused = f.add(result(LSO, b))
    assert fused is not None and list(fused.lines) == LSO


def test_fusion_waits_while_names_are_unstable() -> None:
    other = [LSO[0][:10] + ("X" if LSO[0][10] != "X" else "Y") + LSO[0][11:], LSO[1]]
    f = MrzFusion(frames_to_agree=2)
    # the frames disagree on a name letter: the fused reading must not be accepted yet
    assert f.add(result(other, scores(other))) is None
    assert f.add(result(LSO, scores(LSO, {(0, 10): (other[0][10], 0.5)}))) is None


def test_fusion_resets_when_the_document_goes_away() -> None:
    f = MrzFusion(frames_to_agree=2, reset_after_missing=2)
    f.add(result(LSO, scores(LSO)))
    f.add(OcrResult())
    f.add(OcrResult())
    assert f.frames == 0
    assert f.add(result(LSO, scores(LSO))) is None


def test_fusion_restarts_on_another_layout() -> None:
    f = MrzFusion(frames_to_agree=2)
    f.add(result(LSO, scores(LSO)))
    td1 = OcrResult(
        lines=tuple(ZAF_ID),
        valid=True,
        confidence=0.9,
        doc_type="TD1",
        cell_log_probs=tuple(scores(ZAF_ID)),
    )
    assert f.add(td1) is None and f.frames == 1


def test_fusion_of_a_backend_without_cell_scores() -> None:
    f = MrzFusion(frames_to_agree=2)
    plain = OcrResult(lines=tuple(LSO), valid=True, confidence=0.8, doc_type="TD3")
    assert f.add(plain) is None
    fused = f.add(plain)
    assert fused is not None and list(fused.lines) == LSO
    assert math.isclose(fused.confidence, 0.8)


def test_fusion_restarts_on_another_document_of_the_same_layout() -> None:
    zaf = specimens()["zaf_passport"]
    f = MrzFusion(frames_to_agree=2)
    f.add(result(LSO, scores(LSO)))
    assert f.add(result(zaf, scores(zaf))) is None and f.frames == 1
    fused = f.add(result(zaf, scores(zaf)))
    assert fused is not None and list(fused.lines) == zaf


def test_fusion_holds_an_unsure_name_letter() -> None:
    """The single-frame unchecked-field rules hold for the fused reading too: a name letter
    read at 0.7-0.8 in every frame stays unsure, and nothing is accepted."""
    wrong = "X" if LSO[0][8] != "X" else "Y"
    f = MrzFusion(frames_to_agree=2)
    frames = [scores(LSO, {(0, 8): (wrong, -1.0)}) for _ in range(2)]
    assert f.add(result(LSO, frames[0])) is None
    assert f.add(result(LSO, frames[1])) is None


def test_fusion_returns_a_wrong_printed_check_digit_as_read() -> None:
    """Video of a document whose printed birth check digit is wrong: the booth gets the lines
    as printed with the failing checks named (ocr.mrz then reports CHECK FAILED)."""
    col = 19
    printed = [LSO[0], LSO[1][:col] + str((int(LSO[1][col]) + 4) % 10) + LSO[1][col + 1 :]]
    f = MrzFusion(frames_to_agree=2)
    assert f.add(result(printed, scores(printed))) is None
    fused = f.add(result(printed, scores(printed)))
    assert fused is not None and list(fused.lines) == printed
    assert fused.failed_checks == ("date_of_birth", "composite")
