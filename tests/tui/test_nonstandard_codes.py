"""MRZ codes outside the ICAO/ISO list (issue 13, MRZ core): real ID cards print `<<<` (Macau),
`SI<` (Slovenia), `132` (Romania) where no check digit looks. The booth shows a warning, not a
failure, the crossing saves with the code as printed and the fields flagged, and the shift
statistics count it under the printed nationality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.db import Database
from central.report import sql_summary
from ocr.mrz import make_mrz
from records.codes import Decision
from records.stats import summarise
from terminal.screens.document import DocumentScreen
from terminal.screens.scan import ScanScreen
from tests.helpers import wait_for
from tests.tui.helpers import BoothFactory, save_visitor, screen_text, sign_in

CASES = [  # issuer, nationality as printed -> as recorded, flagged fields
    ("CHN", "<<<", None, ("nationality",)),
    ("SI<", "SI<", "SI", ("issuing_state", "nationality")),
    ("ROU", "132", "132", ("nationality",)),
]


def _id_card(issuer: str, nationality: str) -> list[str]:
    return make_mrz(
        "TD1", document_code="ID", issuing_state=issuer, document_number="AB1234567",
        surname="TESTER", given_names="ANNA", nationality=nationality, date_of_birth="900101",
        sex="F", date_of_expiry="310101", nonstandard_codes=True,
    )


@pytest.mark.parametrize(("issuer", "printed", "recorded", "flagged"), CASES)
async def test_nonstandard_code_warns_and_saves(
    make_booth: BoothFactory, tmp_path: Path, issuer: str, printed: str, recorded: str | None,
    flagged: tuple[str, ...],
) -> None:
    booth = make_booth()
    async with booth.app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        booth.reader.feed_lines(_id_card(issuer, printed))
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DocumentScreen))
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "not an ICAO 9303 / ISO 3166 code" in text
        assert "MRZ CHECK FAILED" not in text and "CHECK FAILED" not in text
        await save_visitor(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ScanScreen)
                       and len(booth.records()) == 1)
    (record,) = booth.records()
    assert record.mrz_valid is True and record.decision is Decision.ADMITTED
    assert record.nationality == recorded and record.mrz_nonstandard == flagged
    summary = summarise([record.to_dict()])
    assert summary.persons == 1
    assert summary.marginal("nationality") == {recorded or "UNKNOWN": 1}
    db = Database(str(tmp_path / "central.sqlite3"))  # the collector takes it and counts it
    try:
        assert db.ingest(record.to_json().encode()).outcome == "stored"
        db.commit()
        assert sql_summary(db) == summary
        assert json.loads(record.to_json())["mrz_nonstandard"] == list(flagged)
    finally:
        db.close()
