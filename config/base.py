"""What every config model shares: unknown keys fail, choices ignore case, and the field
patterns the loader explains in words.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator

from ocr.country_codes import ICAO_SPECIAL_CODES

CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
# The loader says these in words instead of quoting the regular expression.
PATTERN_WORDS = {
    CODE_PATTERN: "1 to 64 letters, digits, '.', '_' or '-' (no spaces)",
}
# Standard serial line rates; a reader on anything else is a typo (e.g. baud = 960).
BAUD_RATES = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800,
              921600)


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The allowed spellings of a Literal-of-strings or Enum field (empty: not a choice)."""
    if get_origin(annotation) is Literal:
        return tuple(v for v in get_args(annotation) if isinstance(v, str))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(annotation)
    return ()


def _fold(value: Any, choices: tuple[Any, ...]) -> Any:
    """`exit` -> Direction.EXIT, `debug` -> "DEBUG": choices are matched whatever the case."""
    if not isinstance(value, str):
        return value
    wanted = value.strip().casefold()
    for choice in choices:
        text = choice.value if isinstance(choice, Enum) else choice
        if str(text).casefold() == wanted:
            return choice
    return value


def is_country_code(code: str) -> bool:
    """ISO 3166-1 alpha-3, or one of ICAO 9303's three-letter codes (XXA, UNK, GBD...)."""
    from ocr.country_codes import ISO_3166_ALPHA3  # the one country list (stdlib only)

    return code in ISO_3166_ALPHA3 or (len(code) == 3 and code in ICAO_SPECIAL_CODES)


class Strict(BaseModel):
    """Unknown keys fail; choices ignore case. The loader validates TOML with strict=True
    (`port = "8883"` is refused, not converted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _fold_choices(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, field in cls.model_fields.items():
            if name not in out:
                continue
            annotation = field.annotation
            if get_origin(annotation) is dict:
                choices = _choices(get_args(annotation)[1])
                if choices and isinstance(out[name], dict):
                    out[name] = {k: _fold(v, choices) for k, v in out[name].items()}
                continue
            if choices := _choices(annotation):
                out[name] = _fold(out[name], choices)
            elif Path in (annotation, *get_args(annotation)) and isinstance(out[name], str):
                out[name] = Path(out[name])  # TOML has no path type; strict mode wants one
        return out
