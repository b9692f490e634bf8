"""`imdms mrz parse|make|specimen`: JSON contract and exit codes (0 valid, 1 check failed, 2 not
an MRZ with a one-line reason and never a traceback)."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imdms.cli.commands.mrz import run_parse
from ocr.specimens import ICAO_SPECIMENS

ROOT = Path(__file__).resolve().parents[2]
IMDMS = ROOT / ".venv" / "bin" / "imdms"
TD3 = "\n".join(ICAO_SPECIMENS["icao_specimen_td3"]) + "\n"
KEYS = {
    "doc_type", "document_code", "issuing_state", "document_number", "surname", "given_names",
    "nationality", "date_of_birth", "sex", "date_of_expiry", "optional_data", "checks",
    "corrections", "valid", "errors",
}  # fmt: skip


def imdms(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    command = [str(IMDMS)] if IMDMS.exists() else [sys.executable, "-m", "imdms.cli"]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, timeout=60, cwd=ROOT
    )


def test_valid_mrz_exit_0_and_json_contract() -> None:
    r = imdms("mrz", "parse", "--today", "2026-11-27", stdin=TD3.encode())
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert KEYS <= set(out)
    assert out["valid"] is True and out["doc_type"] == "TD3"
    assert out["date_of_birth"] == "1974-08-12" and out["given_names"] == "ANNA MARIA"
    assert r.stderr == b""


def test_nonstandard_nationality_exit_0_with_a_warning() -> None:
    """A Romanian ID card prints digits as nationality: every check passes, so exit 0 (issue 13)."""
    from ocr.mrz import make_mrz

    lines = make_mrz(
        "TD1", document_code="ID", issuing_state="ROU", document_number="AB1234567",
        surname="A", given_names="B", nationality="132", date_of_birth="800101", sex="F",
        date_of_expiry="300101", nonstandard_codes=True,
    )  # fmt: skip
    r = imdms("mrz", "parse", stdin=("\n".join(lines) + "\n").encode())
    assert r.returncode == 0, r.stdout
    out = json.loads(r.stdout)
    assert out["valid"] is True and out["nationality"] == "132"
    assert out["nonstandard_codes"] == ["nationality"]


def test_failed_check_exit_1_with_errors() -> None:
    bad = TD3.replace("7408122F", "7408123F")
    r = imdms("mrz", "parse", stdin=bad.encode())
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["valid"] is False and out["checks"]["date_of_birth"] is False
    assert out["errors"][0]["field"] == "date_of_birth"


def test_no_correct_flag() -> None:
    slipped = TD3.replace("7408122F", "74O8122F")
    fixed = imdms("mrz", "parse", stdin=slipped.encode())
    assert fixed.returncode == 0 and len(json.loads(fixed.stdout)["corrections"]) == 1
    raw = imdms("mrz", "parse", "--no-correct", stdin=slipped.encode())
    assert raw.returncode == 1 and json.loads(raw.stdout)["corrections"] == []


@pytest.mark.parametrize(
    ("stdin", "reason"),
    [
        (b"", b"empty"),
        (b"\xff\xfe\x00garbage\x80", b"not UTF-8"),
        (b"hello world\n", b"got 1 line of 11"),
        (TD3.encode()[:-3], b"got 2 lines of 44 and 42"),
    ],
)
def test_not_an_mrz_exit_2_one_line(stdin: bytes, reason: bytes) -> None:
    r = imdms("mrz", "parse", stdin=stdin)
    assert r.returncode == 2
    assert r.stdout == b""
    assert reason in r.stderr
    assert r.stderr.count(b"\n") == 1 and b"Traceback" not in r.stderr


def test_make_then_parse_round_trip() -> None:
    made = imdms(
        "mrz", "make", "--type", "TD1", "--issuer", "LSO", "--number", "AB1234567890",
        "--surname", "Moshoeshoe", "--given-names", "Nthabiseng", "--birth", "900101",
        "--sex", "F", "--expiry", "300101",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    r = imdms("mrz", "parse", "--today", "2026-11-27", stdin=made.stdout)
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert (out["document_number"], out["surname"]) == ("AB1234567890", "MOSHOESHOE")


def test_specimen_lists_and_prints() -> None:
    listing = imdms("mrz", "specimen")
    assert b"lso_passport" in listing.stdout and listing.returncode == 0
    r = imdms("mrz", "specimen", "mrvb_visa")
    assert r.returncode == 0 and len(r.stdout.decode().split()) == 2
    assert imdms("mrz", "specimen", "nope").returncode == 2


def run_captured(data: bytes) -> tuple[int, str, str]:
    """run_parse in-process with `data` on stdin (capsys cannot be used inside @given)."""
    args = argparse.Namespace(today=None, no_correct=False)
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    sys.stdout, sys.stderr = out, err
    try:
        code = run_parse(args)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=120).map(str.encode),
        st.sampled_from([TD3.encode(), TD3.encode()[::-1], TD3.encode() * 2, b"\x00" * 90]),
    )
)
def test_any_bytes_exit_0_1_or_2(data: bytes) -> None:
    code, out, err = run_captured(data)
    assert code in (0, 1, 2)
    if code == 2:
        assert out == "" and err.count("\n") == 1
    else:
        assert json.loads(out)["valid"] is (code == 0)


