"""Sealing and opening one record: fields, schema, key rotation, tampering, openssl keys."""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from imdms.errors import SchemaError
from messaging.seal import (
    Opener,
    Sealer,
    SealError,
    new_key_pair,
)
from records import schema_v2
from records.record import CrossingRecord
from records.schema import validate_record
from records.sealed_fields import CLEAR_FIELDS, SEALED_FIELDS
from tests.peers import require_peer
from tests.seal.helpers import SECRETS, assert_no_secrets, person, same_values


def pair() -> tuple[Sealer, Opener]:
    private_pem, public_pem = new_key_pair()
    return Sealer.from_pem(public_pem), Opener.from_pem(private_pem)


def test_every_personal_field_is_sealed() -> None:
    hidden = {f.name for f in dataclasses.fields(CrossingRecord) if not f.repr}
    assert hidden <= set(SEALED_FIELDS)  # repr=False marks personal data in record.py
    assert set(SECRETS) <= set(SEALED_FIELDS)
    assert {"tip_indicators", "age_at_crossing", "watchlist_result"} <= set(SEALED_FIELDS)
    # what routing, de-duplication and the shift summary need stays readable
    assert {"record_id", "terminal_id", "border_post", "recorded_at", "direction", "sex",
            "age_band", "nationality", "traveller_category", "decision"} <= CLEAR_FIELDS


def test_round_trip_keeps_every_value_and_hides_them() -> None:
    sealer, opener = pair()
    record = person()
    sealed = sealer.seal_record(record.to_dict())
    assert_no_secrets(json.dumps(sealed).encode(), "the sealed record")
    schema_v2.validate_sealed(sealed)
    assert sealed["sealed"]["kid"] == sealer.kid
    opened = opener.open_record(sealed)
    validate_record(opened)
    same_values(opened, record)


def test_checked_in_v2_schema_is_current() -> None:
    assert schema_v2.SCHEMA_PATH.read_text() == schema_v2.schema_text()


def test_v2_schema_refuses_a_clear_personal_field() -> None:
    sealer, _ = pair()
    sealed = sealer.seal_record(person().to_dict())
    with pytest.raises(SchemaError, match="crossing-v2"):
        schema_v2.validate_sealed({**sealed, "surname": "X"})


def test_rotated_keys_open_old_and_new_records() -> None:
    old_private, old_public = new_key_pair()
    new_private, new_public = new_key_pair()
    old = Sealer.from_pem(old_public).seal_record(person().to_dict())
    new = Sealer.from_pem(new_public).seal_record(person().to_dict())
    both = Opener.from_pem(new_private + old_private)  # one credential, several PEM blocks
    assert both.open_record(old)["surname"] == SECRETS["surname"]
    assert both.open_record(new)["surname"] == SECRETS["surname"]
    only_new = Opener.from_pem(new_private)
    with pytest.raises(SealError, match=f"key {old['sealed']['kid']}, which this centre"):
        only_new.open_record(old)


def test_altered_or_moved_sealed_parts_are_refused() -> None:
    sealer, opener = pair()
    a = sealer.seal_record(person().to_dict())
    b = sealer.seal_record(person().to_dict())
    with pytest.raises(SealError, match="another record"):
        opener.open_record({**b, "sealed": a["sealed"]})
    box = bytearray(base64.b64decode(a["sealed"]["box"]))
    box[-1] ^= 1
    damaged = {**a, "sealed": {**a["sealed"], "box": base64.b64encode(box).decode()}}
    with pytest.raises(SealError, match="damaged or altered") as err:
        opener.open_record(damaged)
    assert SECRETS["surname"] not in str(err.value)


def test_key_file_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "central.pub"
    path.write_text("not a key\n")
    with pytest.raises(SealError, match="no X25519 public key") as err:
        Sealer.from_file(path)
    assert "openssl" in err.value.hint
    with pytest.raises(SealError, match="cannot be read"):
        Sealer.from_file(tmp_path / "missing.pub")


def test_openssl_keys_work(tmp_path: Path) -> None:
    require_peer("openssl", shutil.which("openssl") is not None)
    private, public = tmp_path / "c.key", tmp_path / "c.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "X25519", "-out", str(private)],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)],
                   check=True, capture_output=True)
    sealed = Sealer.from_file(public).seal_record(person().to_dict())
    assert Opener.from_pem(private.read_text()).open_record(sealed)["notes"] == SECRETS["notes"]


def test_non_ascii_text_round_trips_and_stays_compact() -> None:
    sealer, opener = pair()
    note = "Mosotho oa Lesotho: ’M’e ’Mamello, 2 bana — 🙂" * 20
    record = person(notes=note)
    plain_size = len(record.to_json().encode())
    sealed = sealer.seal_record(record.to_dict())
    assert opener.open_record(sealed)["notes"] == note
    assert len(json.dumps(sealed).encode()) < plain_size * 1.2  # base64 of UTF-8, not \u
