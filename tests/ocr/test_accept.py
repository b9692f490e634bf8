"""What the reader returns when it cannot accept: failed checks named, unsure characters shown,
unchecked fields held to the code list and the name structure (issue 15, causes 3 and 5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from imdms.cli import main
from ocr.accept import NAME_SHAPE, judge
from ocr.classify import ALPHABET
from ocr.decode import layout_for
from ocr.mrz import make_mrz
from ocr.reader import read_mrz_image
from ocr.specimens import specimens
from tests.ocr.helpers import scores
from tests.ocr.render import render_frame

LSO = specimens()["lso_passport"]


def put(line: str, index: int, char: str) -> str:
    return line[:index] + char + line[index + 1 :]


def other_digit(c: str, step: int) -> str:
    return str((int(c) + step) % 10)


@pytest.mark.parametrize(
    ("column", "failed"),
    [
        (9, ("document_number", "composite")),
        (19, ("date_of_birth", "composite")),
        (27, ("date_of_expiry", "composite")),
        (43, ("composite",)),
    ],
)
def test_wrong_printed_check_digit_returns_the_lines_and_names_the_check(
    column: int, failed: tuple[str, ...]
) -> None:
    """A document whose printed check digit is wrong (a forgery indicator): the lines as
    printed, valid false, the failing check named; never silently "no MRZ", never repaired."""
    printed = [LSO[0], put(LSO[1], column, other_digit(LSO[1][column], 3))]
    r = read_mrz_image(render_frame(printed, angle=3.0, cap_px=20, seed=11))
    assert r.lines == tuple(printed)
    assert not r.valid and not r.accepted
    assert r.failed_checks == failed


def test_nonstandard_code_printed_clearly_is_accepted_as_printed() -> None:
    """A Romanian ID prints nationality 132: read as printed, accepted, flagged by ocr.mrz."""
    lines = make_mrz(
        "TD3", document_code="P", issuing_state="ROU", document_number="E12345678",
        surname="POP", given_names="ANA", nationality="132", date_of_birth="900101", sex="F",
        date_of_expiry="300101", nonstandard_codes=True,
    )  # fmt: skip
    r = read_mrz_image(render_frame(lines, angle=3.0, cap_px=20, seed=2))
    assert r.lines == tuple(lines) and r.accepted and r.blocking == ()


def test_unlisted_code_near_a_listed_one_is_not_accepted() -> None:
    """CDU read for COU (issue 15): an unlisted code with a listed one close by is unsure."""
    lay = layout_for(2, 44)
    assert lay is not None
    truth = make_mrz(
        "TD3", document_code="P", issuing_state="LSO", document_number="E12345678",
        surname="A", given_names="B", nationality="COG", date_of_birth="900101", sex="F",
        date_of_expiry="300101",
    )  # fmt: skip
    # the classifier prefers D over O by 2 nats in the nationality's middle cell
    read = [truth[0], put(truth[1], 11, "D")]
    v = judge(lay, scores(truth, {(1, 11): ("D", 2.0)}), read)
    assert "nationality" in v.blocking and (2, 12) in v.unsure


def test_letter_twin_of_a_listed_code_is_never_sure() -> None:
    lay = layout_for(2, 44)
    assert lay is not None
    read = [LSO[0], put(LSO[1], 12, "0")]  # LS0
    v = judge(lay, scores(read), read)
    assert "nationality" in v.blocking


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("MOSHOESHOE<<NTHABISENG<<<<<<<<<<<<<<<<<<", True),
        ("LI<<WEI<MING<<<<<<<<<<<<<<<<<<<<<<<<<<<", True),
        ("SURNAMEONLY<<<<<<<<<<<<<<<<<<<<<<<<<<<<", True),
        ("LONGSURNAME<<TRUNCATEDGIVENNAMESUNTILEND", True),
        ("MOSHOESHOE<<NTHABISENG<<<<<<<<<<<<<<<K<<", False),  # a letter after the fill
        ("MOSHOESHOE<<NTHA<<BISENG<<<<<<<<<<<<<<<<", False),  # '<<' twice
        ("<MOSHOESHOE<<NTHABISENG<<<<<<<<<<<<<<<<<", False),
    ],
)
def test_name_field_structure(name: str, ok: bool) -> None:
    assert bool(NAME_SHAPE.fullmatch(name)) is ok


def test_broken_name_structure_blocks_acceptance_and_shows_where() -> None:
    lay = layout_for(2, 44)
    assert lay is not None
    read = [put(LSO[0], 40, "K"), LSO[1]]
    v = judge(lay, scores(read), read)
    assert v.blocking == ("names",) and (1, 41) in v.unsure


def test_cli_output_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    printed = [LSO[0], put(LSO[1], 19, other_digit(LSO[1][19], 3))]
    bad, good = tmp_path / "bad.jpg", tmp_path / "good.jpg"
    cv2.imwrite(str(bad), render_frame(printed, angle=3.0, cap_px=20, seed=11))
    turned = render_frame(LSO, angle=0.0, cap_px=20, seed=3)
    cv2.imwrite(str(good), np.ascontiguousarray(np.rot90(turned)))  # 90 deg counterclockwise
    assert main(["ocr", str(bad), str(good)]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0]["lines"] == printed and out[0]["mrz"] is None
    assert out[0]["valid"] is False and out[0]["accepted"] is False
    assert out[0]["failed_checks"] == ["date_of_birth", "composite"]
    assert out[0]["layout"] == "TD3" and out[0]["rotation"] == 0
    assert out[1]["mrz"] == LSO and out[1]["lines"] == LSO and out[1]["accepted"] is True
    assert out[1]["rotation"] == 90 and out[1]["failed_checks"] == [] and out[1]["unsure"] == []


def test_look_alike_pair_the_checks_cannot_see_must_be_sure() -> None:
    """00 read as OO at weights 7 and 3: the number's check and the composite both still pass
    (a silent error measured on a fresh corpus). Both cells must be very sure to accept."""
    lay = layout_for(2, 44)
    assert lay is not None
    read = make_mrz(
        "TD3", document_code="P", issuing_state="GBR", document_number="OO4792926",
        surname="A", given_names="B", nationality="GBR", date_of_birth="900101", sex="F",
        date_of_expiry="300101",
    )  # fmt: skip
    assert make_mrz(
        "TD3", document_code="P", issuing_state="GBR", document_number="004792926",
        surname="A", given_names="B", nationality="GBR", date_of_birth="900101", sex="F",
        date_of_expiry="300101",
    )[1][9:] == read[1][9:]  # fmt: skip
    doubtful = scores(read, {(1, 0): ("0", -3.0), (1, 1): ("0", -3.0)})
    v = judge(lay, doubtful, read)
    assert "document_number" in v.blocking and {(2, 1), (2, 2)} <= set(v.unsure)
    assert "document_number" not in judge(lay, scores(read), read).blocking


@pytest.mark.parametrize(
    ("number", "personal", "doubt"),
    [
        # three 0 read O in the personal number at weights 1, 1, 3 (24 x 5 = 120 = 0 mod 10):
        # the optional-data check and the composite both pass (a silent error, fresh corpus)
        ("L89234511", "66O53O7O46897", [(1, 30), (1, 33), (1, 35)]),
        # 6 read G changes any weighted sum by 10: no check sees it
        ("G89234511", "6605307046897", [(1, 0)]),
    ],
)
def test_look_alike_sets_the_checks_cannot_see_must_be_sure(
    number: str, personal: str, doubt: list[tuple[int, int]]
) -> None:
    lay = layout_for(2, 44)
    assert lay is not None
    read = make_mrz(
        "TD3", document_code="P", issuing_state="GBR", document_number=number,
        surname="A", given_names="B", nationality="GBR", date_of_birth="900101", sex="F",
        date_of_expiry="300101", optional_data=personal,
    )  # fmt: skip
    swapped = {p: ("0" if read[p[0]][p[1]] == "O" else "6", -1.0) for p in doubt}
    v = judge(lay, scores(read, swapped), read)
    assert v.blocking and {(k + 1, i + 1) for k, i in doubt} <= set(v.unsure)
    assert not judge(lay, scores(read), read).blocking


def test_a_listed_code_whose_alternatives_form_no_code_is_sure() -> None:
    """Issuer and nationality are held to the ICAO/ISO list: a cell read at 0.8 whose runner-up
    forms no listed code is sure as a whole; when the runner-up is also a code, it is not."""
    from ocr.decode import code_posterior, masked

    def cells(code: str, doubt: dict[int, tuple[str, float]]) -> list[Any]:
        out = []
        for i, c in enumerate(code):
            z = np.full(37, -20.0, np.float32)
            z[ALPHABET.index(c)] = 0.0
            if i in doubt:
                alt, lp = doubt[i]
                z[ALPHABET.index(alt)] = lp
            out.append(masked(z, "n"))
        return out

    assert code_posterior(cells("LSO", {1: ("J", -1.4)}), "LSO") > 0.99  # LJO is no code
    assert code_posterior(cells("AUT", {2: ("S", -1.4)}), "AUT") < 0.9  # AUS is one


def test_one_cell_whose_alternative_no_check_sees_must_be_sure() -> None:
    """A red stamp turned a filler of a TD2's optional data into `K` (20 = 0 mod 10: the
    composite cannot see it), read at 0.92 with `<` the runner-up: a silent error on a tier
    scene (overprint, seed 24117). It blocks; read surely, it does not."""
    lay = layout_for(2, 36)
    assert lay is not None
    read = make_mrz(
        "TD2", document_code="AC", issuing_state="BRB", document_number="P92007791",
        surname="A", given_names="B", nationality="BLZ", date_of_birth="530710", sex="M",
        date_of_expiry="340704", optional_data="<<<<<K<",
    )  # fmt: skip
    v = judge(lay, scores(read, {(1, 33): ("<", -2.5)}), read)
    assert "composite" in v.blocking and (2, 34) in v.unsure
    assert not judge(lay, scores(read), read).blocking
