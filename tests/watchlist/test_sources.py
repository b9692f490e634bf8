"""The centre's input files: the national list (JSON or CSV) and the SLTD-style export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from central.watchlist.sltd import read_sltd
from central.watchlist.source import read_entries
from imdms.errors import ImdmsError
from messaging.watchlist_entries import Category

CSV = """category,instruction,document_number,issuing_state,surname,given_names,date_of_birth
WANTED,Call the duty inspector.,,,MOKOENA,THABO,1988-02-01
ENTRY_BAN,Refuse entry (reason I).,za 998 8776,zaf,,,
"""
SLTD = """Document Number;Issuing Country;Document Type;Status;Reported At
QX1234567;LSO;P;stolen;2026-11-30
RA0000001;ZAF;ID;Lost;2026-10-01
LS7654321;LSO;P;REVOKED;
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_and_json_give_the_same_entries(tmp_path: Path) -> None:
    from_csv = read_entries(write(tmp_path, "list.csv", CSV))
    rows = [{"category": "WANTED", "instruction": "Call the duty inspector.",
             "surname": "MOKOENA", "given_names": "THABO", "date_of_birth": "1988-02-01"},
            {"category": "ENTRY_BAN", "instruction": "Refuse entry (reason I).",
             "document_number": "za 998 8776", "issuing_state": "zaf"}]
    from_json = read_entries(write(tmp_path, "list.json", json.dumps({"entries": rows})))
    assert [e.to_dict() for e in from_csv] == [e.to_dict() for e in from_json]
    wanted, ban = from_csv
    assert wanted.category is Category.WANTED and ban.issuing_state == "ZAF"
    assert wanted.id.startswith("wl-") and wanted.id != ban.id
    assert "MOKOENA" not in wanted.id and "9988776" not in ban.id
    assert read_entries(write(tmp_path, "again.csv", CSV))[0].id == wanted.id  # stable


@pytest.mark.parametrize(("text", "says"), [
    ("category,instruction,colour\nWANTED,x,red\n", "unknown column"),
    ("category,document_number\nWANTED,X1\n", "missing column"),
    ("category,instruction,document_number\nSPY,x,X1\n", "category must be"),
    ("category,instruction,surname\nWANTED,x,MOKOENA\n", "needs a document_number"),
    ('{"entries": [{"category": "WANTED"}]', "not valid JSON"),
])
def test_bad_list_files_say_where(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ImdmsError) as info:
        read_entries(write(tmp_path, "bad.csv", text))
    assert says in info.value.message and "MOKOENA" not in info.value.message
    assert info.value.hint


def test_sltd_export(tmp_path: Path) -> None:
    stolen, lost, revoked = read_sltd(write(tmp_path, "sltd.csv", SLTD))
    assert {e.category for e in (stolen, lost, revoked)} == {Category.LOST_STOLEN_DOCUMENT}
    assert (stolen.document_number, stolen.issuing_state, stolen.document_type) == \
        ("QX1234567", "LSO", "P")
    assert "stolen" in stolen.instruction and "lost" in lost.instruction
    assert "revoked" in revoked.instruction and lost.document_type == "ID"
    assert stolen.source == "sltd" and stolen.id.startswith("sltd-")
    assert "QX1234567" not in stolen.id


@pytest.mark.parametrize(("text", "says"), [
    ("number,country,type\nX1,LSO,P\n", "missing column"),
    ("number,country,type,status,owner\nX1,LSO,P,STOLEN,me\n", "unknown column"),
    ("number,country,type,status\nX1,LSO,P,FOUND\n", "row 2: status"),
    ("number,country,type,status\nX1,Lesotho,P,STOLEN\n", "row 2: issuing_country"),
    ("number,country,type,status\nX1,LSO,P,STOLEN\n-,LSO,P,LOST\n", "row 3: document_number"),
])
def test_bad_sltd_rows_say_where(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ImdmsError) as info:
        read_sltd(write(tmp_path, "sltd.csv", text))
    assert says in info.value.message
