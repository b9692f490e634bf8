"""Build config/terminal.example.toml from the models, so every key is documented exactly once
(in the model's `description`). `python -m config.example > config/terminal.example.toml`;
a test keeps the checked-in file equal to this output."""

from __future__ import annotations

import json
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from config import models

EXAMPLE_PATH = Path(__file__).parent / "terminal.example.toml"
HEADER = """\
# imdms terminal configuration: /etc/imdms/terminal.toml (mode 0640, root:imdms).
# Every key is optional; the value shown is the default. Check edits with `imdms config validate`,
# change one key with `imdms config set KEY VALUE` (keeps comments).
# Secrets (TLS key, MQTT password) are not kept here: systemd passes them with LoadCredential=.
"""
READER_TYPES: tuple[type[BaseModel], ...] = (
    models.SimulatorConfig,
    models.SerialMrzConfig,
    models.CameraConfig,
    models.ChipConfig,
)


def _toml(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, dict):
        return "{}" if not value else None
    return json.dumps(value)


def _table(name: str, model: type[BaseModel], commented: bool, out: list[str]) -> None:
    pre = "# " if commented else ""
    out.append(f"{pre}[{name}]")
    nested: list[tuple[str, type[BaseModel]]] = []
    for key, field in model.model_fields.items():
        ann = field.annotation
        args = getattr(ann, "__args__", (ann,))
        sub = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if sub is not None and key not in ("reader",):
            nested.append((key, sub))
            continue
        if key == "type":
            kind = typing.get_args(field.annotation)[0]
            out.append(f"# Reader backend: {kind}.")
            out.append(f'{pre}type = "{kind}"')
            continue
        out.append(f"# {field.description}")
        default = field.get_default(call_default_factory=True)
        text = _toml(default)
        if text is None:
            out.append(f"# {key} = ...")
        else:
            out.append(f"{pre}{key} = {text}" if not commented else f"# {key} = {text}")
    out.append("")
    for key, sub in nested:
        _table(f"{name}.{key}", sub, True, out)


def example_text() -> str:
    out = [HEADER]
    for name, field in models.Config.model_fields.items():
        out.append(f"# --- {field.description}")
        if name == "reader":
            out.append("# Pick one [reader] block; the simulator is the default (demo).")
            for i, kind in enumerate(READER_TYPES):
                _table("reader", kind, commented=i > 0, out=out)
            continue
        ann = field.annotation
        args = getattr(ann, "__args__", (ann,))
        sub = next(a for a in args if isinstance(a, type) and issubclass(a, BaseModel))
        optional = field.default is None
        _table(name, sub, commented=optional, out=out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(example_text(), end="")  # noqa: T201 - a generator script
