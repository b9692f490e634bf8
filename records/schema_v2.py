"""The sealed crossing message, crossing-v2: the clear fields of crossing-v1 plus `sealed`.

Built from crossing-v1 and records.sealed_fields.CLEAR_FIELDS, checked in as
`records/schema/crossing-v2.json` (a test keeps the file equal to `build_schema()`).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from imdms.errors import SchemaError
from records import schema as v1
from records.sealed_fields import CLEAR_FIELDS, SEALED_VERSION

SCHEMA_PATH = Path(__file__).parent / "schema" / "crossing-v2.json"
SCHEMA_ID = "urn:imdms:schema:crossing:v2"
SEALED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["box", "kid"],
    "properties": {
        "kid": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        # a base64 libsodium sealed box (48 bytes of overhead) of the personal fields' JSON;
        # room for two bounded photos (records.schema.PHOTO) beside the longest texts
        "box": {"type": "string", "minLength": 64, "maxLength": 98304,
                "pattern": "^[A-Za-z0-9+/]+={0,2}$"},
    },
}


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a sealed crossing record, version 2."""
    clear = v1.build_schema()["properties"]
    props = {name: spec for name, spec in clear.items() if name in CLEAR_FIELDS}
    props["schema_version"] = {"const": SEALED_VERSION}
    props["sealed"] = SEALED
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "IMDMS border crossing record, version 2 (personal fields sealed)",
        "type": "object",
        "additionalProperties": False,
        "required": sorted(props),
        "properties": props,
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


@cache
def _fast_validator() -> Any:
    import fastjsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema)


def validate_sealed(data: dict[str, Any]) -> None:
    """Raise SchemaError unless `data` is a crossing-v2 record (names fields, never values)."""
    import fastjsonschema

    v1.check_carriable(data)
    try:
        _fast_validator()(data)
    except fastjsonschema.JsonSchemaException as err:
        path = str(getattr(err, "name", "")).removeprefix("data").lstrip(".") or "(record)"
        raise SchemaError(
            f"record does not match crossing-v2: {v1.field_name(path.split('.')[0])}: "
            f"{getattr(err, 'rule', 'invalid')}",
            "the sealed record is damaged; it is kept, report it to the technician",
        ) from None


if __name__ == "__main__":  # regenerate the checked-in file
    SCHEMA_PATH.write_text(schema_text())
