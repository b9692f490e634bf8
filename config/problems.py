"""Turn pydantic's validation errors into problems a technician can act on.

Each problem names the dotted key, the line in the file and what is allowed, in words (never
pydantic's own text, which quotes regular expressions and Python types, and never the value,
which may be a secret). An unknown key gets the closest allowed name ("did you mean").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from config import models
from config.readers import plugins, reader_models

UNION_FIELDS = {"reader"}  # discriminated on `type`: pydantic puts the tag in the location


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.key}: {self.message}"


def key_lines(text: str) -> dict[str, int]:
    """Map dotted keys to the line that sets them (tables and `key = value` lines)."""
    lines: dict[str, int] = {}
    table = ""
    header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?")
    assign = re.compile(r"^\s*([A-Za-z0-9_\"'-]+(?:\s*\.\s*[A-Za-z0-9_\"'-]+)*)\s*=")
    for number, raw in enumerate(text.splitlines(), start=1):
        if m := header.match(raw):
            table = re.sub(r"\s*\.\s*", ".", m.group(1)).replace('"', "").replace("'", "")
            lines.setdefault(table, number)
        elif m := assign.match(raw):
            key = re.sub(r"\s*\.\s*", ".", m.group(1)).replace('"', "").replace("'", "")
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _line_for(key: str, lines: dict[str, int]) -> int | None:
    parts = key.split(".")
    while parts:  # fall back to the enclosing table when the key itself is absent
        if (found := lines.get(".".join(parts))) is not None:
            return found
        parts.pop()
    return None


def _sub_model(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", (annotation,))
    return next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)


def _model_at(path: tuple[Any, ...], data: Any) -> type[BaseModel] | None:
    """The model class that owns the key at `path` (for did-you-mean suggestions)."""
    model: type[BaseModel] | None = models.Config
    node: Any = data
    for part in path[:-1]:
        if model is None:
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        node = node.get(part, {}) if isinstance(node, dict) else {}
        if str(part) in UNION_FIELDS:
            kind = node.get("type", "simulator") if isinstance(node, dict) else "simulator"
            model = reader_models().get(kind) if isinstance(kind, str) else None
            continue
        model = _sub_model(field.annotation)
    return model


def _location(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union tag pydantic inserts after `reader` (reader.serial_mrz.baud ->
    reader.baud), and only there: a top-level [camera] table must stay `camera`."""
    if len(loc) > 1 and str(loc[0]) in UNION_FIELDS and loc[1] in reader_models():
        return (loc[0], *loc[2:])
    return loc


def _unknown_key(loc: tuple[Any, ...], data: Any) -> str:
    name = str(loc[-1])
    if len(loc) == 1 and name in reader_models():
        return (f"unknown table [{name}]; reader settings go in [reader] with "
                f'type = "{name}"')
    model = _model_at(loc, data)
    allowed = sorted(model.model_fields) if model else []
    close = difflib.get_close_matches(name, allowed, n=1)
    table = ".".join(str(p) for p in loc[:-1])
    if not close and table in UNION_FIELDS:
        kinds = [k for k, m in reader_models().items() if name in m.model_fields]
        if kinds:
            return (f"unknown key for this reader type; {name} is a setting of "
                    f'type = "{kinds[0]}" readers (allowed here: {", ".join(allowed)})')
    if not close and table:
        # a key in the wrong table: say where it belongs
        owners = list(dict.fromkeys(t for t, m in _tables() if name in m.model_fields))
        if owners:
            return (f"unknown key in [{table}]; {name} belongs in "
                    + " or ".join(f"[{t}]" for t in owners))
        elsewhere = {k: t for t, m in _tables() for k in m.model_fields}
        if near := difflib.get_close_matches(name, list(elsewhere), n=1):
            return (f"unknown key in [{table}]; did you mean {near[0]!r} "
                    f"in [{elsewhere[near[0]]}]?")
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = f" (allowed: {', '.join(allowed)})" if allowed else ""
    return f"unknown key{hint}{listed}"


def _unknown_type(tag: Any) -> str:
    """An unknown `[reader] type`: a plugin that failed to load says why; else did you mean."""
    if isinstance(tag, str) and (why := plugins().broken.get(tag)):
        return f"reader type {tag!r}: {why}; fix or reinstall the plugin"
    kinds = list(reader_models())
    close = difflib.get_close_matches(tag.casefold(), kinds, n=1) if isinstance(tag, str) else []
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown reader type; {hint}use one of: {', '.join(kinds)}"


def _tables() -> list[tuple[str, type[BaseModel]]]:
    """Every table of the file and its model, readers included."""
    out: list[tuple[str, type[BaseModel]]] = []

    def walk(prefix: str, model: type[BaseModel]) -> None:
        for name, field in model.model_fields.items():
            sub = _sub_model(field.annotation)
            if name in UNION_FIELDS and not prefix:
                out.extend((name, m) for m in reader_models().values())
            elif sub is not None:
                table = f"{prefix}.{name}" if prefix else name
                out.append((table, sub))
                walk(table, sub)

    walk("", models.Config)
    return out


def _enum_choices(loc: tuple[Any, ...], data: Any) -> str:
    """'A' or 'B' for an Enum field (strict mode reports a plain string as the wrong class)."""
    model = _model_at(loc, data)
    field = model.model_fields.get(str(loc[-1])) if model and loc else None
    kind = field.annotation if field else None
    if isinstance(kind, type) and issubclass(kind, Enum):
        names = [f"'{m.value}'" for m in kind]
        return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    return ""


def _bound(kind: str, ctx: dict[str, Any]) -> str:
    words = {"greater_than": "more than", "greater_than_equal": "at least",
             "less_than": "less than", "less_than_equal": "at most"}
    for key in ("gt", "ge", "lt", "le"):
        if key in ctx:
            return f"must be {words[kind]} {ctx[key]}"
    return "is out of range"


def _words(e: Any, loc: tuple[Any, ...], data: Any) -> str:
    """What is wrong and what is allowed, in words."""
    kind: str = e["type"]
    ctx: dict[str, Any] = e.get("ctx") or {}
    given = e.get("input")
    quoted = " (write it without quotes)" if isinstance(given, str) else ""
    if kind == "extra_forbidden":
        return _unknown_key(loc, data)
    if kind == "union_tag_not_found":
        return f'needs a type: type = "simulator" (or one of {", ".join(reader_models())})'
    if kind == "union_tag_invalid":
        return _unknown_type(ctx.get("tag"))
    if kind == "missing":
        if loc and loc[-1] == "type":
            return 'is required: add type = "chip"' if loc[0] == "chip" else "is required"
        return "is required"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "the listed values"))
        case = " (any case)" if "'" in expected else ""
        return f"must be one of {expected}{case}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, e.g. 30{quoted}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, e.g. 0.5{quoted}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{quoted}"
    if kind in ("string_type", "path_type"):
        return 'must be text in double quotes, e.g. "MSU-BRIDGE"'
    if kind == "string_pattern_mismatch":
        words = models.PATTERN_WORDS.get(str(ctx.get("pattern")), "has the wrong form")
        return f"must be {words}" if words != "has the wrong form" else words
    if kind in ("string_too_short", "string_too_long"):
        return "is too short" if kind == "string_too_short" else "is too long"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _bound(kind, ctx)
    if kind == "is_instance_of" and (choices := _enum_choices(loc, data)):
        return f"must be one of {choices} (any case)"
    if kind in ("model_type", "model_attributes_type", "dict_type", "is_instance_of"):
        return "must be a table of settings ([name] with key = value lines), not a single value"
    if kind == "value_error":
        message = str(e.get("msg", ""))
        return message.removeprefix("Value error, ")
    if kind in ("finite_number",):
        return "must be a finite number"
    return "has a value that is not allowed here; see config/terminal.example.toml"


def problems(err: ValidationError, data: Any, text: str) -> list[Problem]:
    """Every problem of one validation, sorted by line."""
    lines = key_lines(text)
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for e in err.errors():
        loc = _location(tuple(e["loc"]))
        if e["type"] == "union_tag_invalid" and loc == ("reader",):
            loc = ("reader", "type")
        key = ".".join(str(p) for p in loc) or "(top level)"
        message = _words(e, loc, data)
        if (key, message) in seen:  # a union can report the same key twice
            continue
        seen.add((key, message))
        out.append(Problem(key, _line_for(key, lines), message))
    return sorted(out, key=lambda p: (p.line or 0, p.key))


def describe(err: ValidationError, data: Any) -> list[str]:
    """Problems as lines without line numbers (settings from the command line)."""
    return [f"{p.key}: {p.message}" for p in problems(err, data, "")]
