"""The crossing message's JSON Schema: built from the record and code lists, checked in as
`records/schema/crossing-v1.json` (a test keeps the file equal to `build_schema()`)."""

from __future__ import annotations

import json
import math
import re
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from imdms.errors import SchemaError
from records import codes

SCHEMA_PATH = Path(__file__).parent / "schema" / "crossing-v1.json"
SCHEMA_ID = "urn:imdms:schema:crossing:v1"
ALPHA3 = {"type": ["string", "null"], "pattern": "^([A-Z]{3}|D)$"}
# issuer and nationality as an MRZ prints them, fillers trimmed: real documents print codes
# outside the ICAO/ISO list (`<<<` Macau, `SI<` Slovenia, `132` Romania); no check digit covers them
MRZ_CODE = {"type": ["string", "null"], "pattern": "^[A-Z0-9<]{1,3}$"}
MRZ_CODE_FIELDS = ("issuing_state", "nationality")
PARTIAL_DATE = {"type": ["string", "null"], "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
CODE = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.-]+$"}
# a base64 JPEG, size-bounded on the booth (terminal/photo.py: at most PHOTO_MAX_BYTES decoded)
PHOTO_MAX_BYTES = 12_288
PHOTO = {"type": ["string", "null"], "maxLength": (PHOTO_MAX_BYTES + 2) // 3 * 4,
         "pattern": "^/9j/[A-Za-z0-9+/]*={0,2}$"}  # "/9j/": the JPEG start-of-image marker
UUID = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}


def _enum(e: type[Enum], nullable: bool = False) -> dict[str, Any]:
    values: list[Any] = [m.value for m in e]
    if nullable:
        return {"enum": [*values, None]}
    return {"enum": values}


def _str(max_len: int) -> dict[str, Any]:
    return {"type": ["string", "null"], "maxLength": max_len}


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a crossing record, version 1."""
    props: dict[str, Any] = {
        "record_id": UUID,
        "schema_version": {"const": 1},
        "terminal_id": CODE,
        "border_post": CODE,
        "officer_id": CODE,
        "direction": _enum(codes.Direction),
        "capture_method": _enum(codes.CaptureMethod),
        "recorded_at": {"type": "string", "format": "date-time"},
        "clock_synced": {"type": "boolean"},
        "boot_id": {"type": "string", "maxLength": 64},
        "monotonic_ns": {"type": "integer", "minimum": 0},
        "software_version": {"type": "string", "maxLength": 32},
        "document_type": _enum(codes.DocumentType),
        "document_code": {"type": ["string", "null"], "pattern": "^[A-Z<]{1,2}$"},
        "document_number": _str(32),
        "issuing_state": MRZ_CODE,
        "date_of_expiry": PARTIAL_DATE,
        "mrz_valid": {"type": ["boolean", "null"]},
        "mrz_corrections": {"type": "integer", "minimum": 0},
        "chip_status": _str(64),
        "surname": _str(120),
        "given_names": _str(120),
        "nationality": MRZ_CODE,
        "sex": {"enum": [int(s) for s in codes.Sex]},
        "date_of_birth": PARTIAL_DATE,
        "age_estimated": {"type": "boolean"},
        "age_at_crossing": {"type": ["integer", "null"], "minimum": 0, "maximum": 130},
        "age_band": {"enum": [*codes.AGE_BANDS, None]},
        "minor": {"type": ["boolean", "null"]},
        "country_of_residence": ALPHA3,
        "traveller_category": _enum(codes.TravellerCategory, nullable=True),
        "purpose": _enum(codes.Purpose, nullable=True),
        "intended_stay_days": {"type": ["integer", "null"], "minimum": 0, "maximum": 36500},
        "stay_band": _enum(codes.StayBand, nullable=True),
        "transport_mode": _enum(codes.TransportMode, nullable=True),
        "transport_role": _enum(codes.TransportRole, nullable=True),
        "group_id": _str(64),
        "accompanying_adult_ref": {"anyOf": [UUID, {"type": "null"}]},
        "relationship_to_adult": _enum(codes.Relationship, nullable=True),
        "consent_letter_seen": {"type": ["boolean", "null"]},
        "decision": _enum(codes.Decision),
        "refusal_reason": _enum(codes.RefusalReason, nullable=True),
        "tip_indicators": {
            "type": "array",
            "items": _enum(codes.TipIndicator),
            "uniqueItems": True,
        },
        "tip_note": _str(2000),
        "tip_referral": _enum(codes.TipReferral),
        "watchlist_result": _enum(codes.WatchlistResult),
        "watchlist_version": _str(64),
        "notes": _str(2000),
        "amends": {"anyOf": [UUID, {"type": "null"}]},
        "amend_reason": _str(500),
    }
    optional: dict[str, Any] = {  # added later: not required, so older records stay valid
        "watchlist_acknowledged": {"type": ["boolean", "null"]},
        "watchlist_judgement": _enum(codes.WatchlistJudgement, nullable=True),
        "void": _enum(codes.VoidReason, nullable=True),
        "chip_authentication": _enum(codes.ChipCheck, nullable=True),
        "active_authentication": _enum(codes.ChipCheck, nullable=True),
        "chip_clone_suspected": {"type": ["boolean", "null"]},
        "mrz_nonstandard": {"type": "array", "items": {"enum": list(MRZ_CODE_FIELDS)},
                            "uniqueItems": True},
        "minor_travel": _enum(codes.MinorTravel, nullable=True),
        "category_proposed": {"type": ["boolean", "null"]},
        "stated_name": _str(120),
        "photo_consent": {"type": ["boolean", "null"]},
        "photo_jpeg": PHOTO,
        "document_face_jpeg": PHOTO,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "IMDMS border crossing record, version 1",
        "type": "object",
        "additionalProperties": False,
        "required": sorted(props),
        "properties": {**props, **optional},
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


@cache
def _fast_validator() -> Any:
    """Compiled validator: ~20x faster than jsonschema's, which matters for imports and drains.
    fastjsonschema knows drafts 4-7; every keyword used here means the same in draft 7."""
    import fastjsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


FIELD_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
CARRY_HINT = ("this is a software fault (or a damaged file): the record was NOT saved; "
              "re-enter it, and report it to the technician")


def field_name(key: object) -> str:
    """A key fit for a message: shown when it looks like a field name, else described."""
    return key if isinstance(key, str) and FIELD_NAME.match(key) else "(a malformed field name)"


def _poison(value: object) -> str | None:
    if isinstance(value, str):
        if "\x00" in value:
            return "contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid UTF-8 (a lone surrogate)"
    elif isinstance(value, bytes | bytearray):
        return "is bytes, not text"
    elif isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    elif value is not None and not isinstance(value, bool | int | float | list | dict):
        return f"has a type JSON cannot carry ({type(value).__name__})"
    return None


def check_carriable(data: object, what: str = "record") -> None:
    """Raise SchemaError unless every key and value (at any depth) can cross the broker and the
    collector unchanged: text without NUL, valid UTF-8 (no lone surrogates), finite numbers,
    plain JSON types. The message names the field, never its value."""
    problems: list[str] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                name = field_name(key)
                if not isinstance(key, str):
                    problems.append(f"{path}{name}: field name is not text")
                elif (why := _poison(key)) is not None or name != key:
                    problems.append(f"{path}{name}: field name {why or 'is malformed'}")
                walk(item, f"{path}{name}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}{index}.")
        elif (why := _poison(value)) is not None:
            problems.append(f"{path.rstrip('.') or '(record)'}: {why}")

    walk(data, "")
    if problems:
        raise SchemaError(f"{what} cannot be carried: " + "; ".join(sorted(problems)[:10]),
                          CARRY_HINT)


def validate_record(data: dict[str, Any]) -> None:
    """Raise SchemaError listing every problem; the message names fields, never their values.

    Poison (NUL, lone surrogates, non-JSON values) is refused first (check_carriable)."""
    import fastjsonschema

    check_carriable(data)

    try:
        _fast_validator()(data)
        return
    except fastjsonschema.JsonSchemaException:
        pass  # list every problem with the full validator below
    problems: list[str] = []
    for err in _validator().iter_errors(data):
        if err.validator == "required" and isinstance(err.instance, dict):
            missing = [k for k in err.validator_value if k not in err.instance]
            problems.extend(f"{k}: missing" for k in missing)
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            known = err.schema.get("properties", {})
            problems.extend(f"{field_name(k)}: unknown field" for k in err.instance
                            if k not in known)
        else:
            path = ".".join(str(p) for p in err.absolute_path) or "(record)"
            problems.append(f"{path}: {err.validator}")
    problems.sort()
    if problems:
        raise SchemaError(
            "record does not match crossing-v1: " + "; ".join(problems),
            "this is a software fault; the record was kept, report it to the technician",
        )


if __name__ == "__main__":  # regenerate the checked-in file
    SCHEMA_PATH.write_text(schema_text())
