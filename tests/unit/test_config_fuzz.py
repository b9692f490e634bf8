"""Fuzz the config loader with TOML built from the real key names (walking the models), typos,
wrong types and wrong tables: always a listed problem in words, never a traceback; and every
valid config shown by `config show` validates again to the same config."""

from __future__ import annotations

import tomllib
from typing import Any, Literal, get_args, get_origin

import tomlkit
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from config import models
from config.loader import parse_config
from config.problems import _tables
from config.readers import BUILTIN as READER_TYPES
from imdms.cli.commands.config_cmd import config_toml
from imdms.errors import ConfigError

TABLES = dict(_tables())
MODELS: list[type[BaseModel]] = [*TABLES.values(), models.Config]
KEYS = sorted({k for m in MODELS for k in m.model_fields})
PYDANTIC_WORDS = ("Input should", "String should", "Value error", "Field required",
                  "Extra inputs", "valid dictionary", "pattern")


def _typo(word: str) -> st.SearchStrategy[str]:
    i = st.integers(0, max(0, len(word) - 1))
    return st.one_of(
        i.map(lambda n: word[:n] + word[n + 1:] or "x"),
        i.map(lambda n: word[:n] + "x" + word[n:]),
        st.just(word.upper()),
    )


names = st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS).flatmap(_typo),
                  st.sampled_from(list(READER_TYPES)))
scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True), st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["ENTRY", "exit", "serial_mrz", "camera", "8883", "LSO", "ZZZ", "1.5",
                     "/tmp/x", "DEBUG", "none", "stx-etx"]),
    st.dates(),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=3)), max_leaves=6)
tables = st.dictionaries(names, values, max_size=6)
documents = st.dictionaries(
    st.one_of(st.sampled_from([*TABLES, "reader", "chip"]), names),
    st.one_of(tables, values), max_size=6,
)


def _toml(doc: dict[str, Any]) -> str:
    try:
        text = tomlkit.dumps(doc)
        tomllib.loads(text)
    except Exception:  # noqa: BLE001 - a document TOML cannot express: not a config test
        assume(False)
        raise
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_document_gives_listed_problems_never_a_traceback(doc: dict[str, Any]) -> None:
    text = _toml(doc)
    try:
        parse_config(text, "fuzz.toml")
    except ConfigError as err:
        lines = err.message.splitlines()
        assert "problem(s)" in lines[0] and len(lines) > 1, err.message
        for line in lines[1:]:
            assert ": " in line and not any(w in line for w in PYDANTIC_WORDS), line


# -- valid configs: one value a technician could write for each field -----------------------


def _valid(name: str, annotation: Any) -> st.SearchStrategy[Any]:
    origin = get_origin(annotation)
    if origin is Literal:
        return st.sampled_from(get_args(annotation)).flatmap(
            lambda v: st.sampled_from([v, v.lower()]) if isinstance(v, str) else st.just(v))
    if isinstance(annotation, type) and issubclass(annotation, models.Direction):
        return st.sampled_from(["ENTRY", "exit", "Exit"])
    args = [a for a in get_args(annotation) if a is not type(None)]
    if args and origin is not dict and origin is not Literal:
        return _valid(name, args[0])
    if name == "baud":
        return st.sampled_from(models.BAUD_RATES)
    if name == "default_residence":
        return st.sampled_from(["LSO", "zaf", "XXA", "DEU"])
    if name in ("terminal_id", "border_post"):
        return st.from_regex(r"\A[A-Za-z0-9_.-]{1,12}\Z")
    if origin is dict:
        return st.dictionaries(st.sampled_from(["messaging", "drivers.serial_mrz"]),
                               st.sampled_from(["DEBUG", "info", "Warning"]), max_size=2)
    if annotation is int:
        return st.integers(5, 60)
    if annotation is float:
        return st.floats(0.1, 5.0)
    if annotation is bool:
        return st.booleans()
    return st.sampled_from(["/tmp/imdms-x", "imdms-key", "0", "x y"])


def _section(model: type[BaseModel], reader_type: str | None = None) -> st.SearchStrategy[Any]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in model.model_fields.items():
        sub = next((a for a in get_args(field.annotation) or (field.annotation,)
                    if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if name == "type":
            parts[name] = st.just(reader_type)
        elif sub is not None:
            parts[name] = _section(sub)
        else:
            parts[name] = _valid(name, field.annotation)
    required = {"type"} if reader_type else set()
    return st.fixed_dictionaries(
        {k: v for k, v in parts.items() if k in required},
        optional={k: v for k, v in parts.items() if k not in required},
    )


valid_documents = st.fixed_dictionaries({}, optional={
    "terminal": _section(models.TerminalConfig),
    "reader": st.sampled_from(list(READER_TYPES)).flatmap(
        lambda t: _section(READER_TYPES[t], t)),
    "chip": _section(models.ChipConfig, "chip"),
    "outbox": _section(models.OutboxConfig),
    "broker": _section(models.BrokerConfig),
    "logging": _section(models.LoggingConfig),
    "collector": _section(models.CollectorConfig),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(valid_documents)
def test_config_show_round_trips_through_validate(doc: dict[str, Any]) -> None:
    text = _toml(doc)
    try:
        cfg = parse_config(text)
    except ConfigError:
        assume(False)
        raise
    shown = config_toml(cfg)
    assert parse_config(shown, "shown.toml") == cfg
