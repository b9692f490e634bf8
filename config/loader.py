"""Load and validate the terminal's TOML configuration, reporting every problem at once.

Each problem names the dotted key, the line in the file, what is allowed, and for an unknown key
the closest allowed name ("did you mean"). Secrets never live in the TOML: see `credential()`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from config.models import Config
from imdms.errors import ConfigError

DEFAULT_PATH = Path("/etc/imdms/terminal.toml")


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.key}: {self.message}"


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted keys to the line that sets them (tables and `key = value` lines)."""
    lines: dict[str, int] = {}
    table = ""
    header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")
    assign = re.compile(r"^\s*([A-Za-z0-9_\"-]+(?:\s*\.\s*[A-Za-z0-9_\"-]+)*)\s*=")
    for number, raw in enumerate(text.splitlines(), start=1):
        if m := header.match(raw):
            table = m.group(1).replace('"', "")
            lines.setdefault(table, number)
        elif m := assign.match(raw):
            key = re.sub(r"\s*\.\s*", ".", m.group(1)).replace('"', "")
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _line_for(key: str, key_lines: dict[str, int]) -> int | None:
    parts = key.split(".")
    while parts:  # fall back to the enclosing table when the key itself is absent
        if (found := key_lines.get(".".join(parts))) is not None:
            return found
        parts.pop()
    return None


def _model_at(path: tuple[Any, ...], data: dict[str, Any]) -> type[BaseModel] | None:
    """The model class that owns the key at `path` (for did-you-mean suggestions)."""
    from config import models

    model: type[BaseModel] | None = Config
    node: Any = data
    for part in path[:-1]:
        if model is None:
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        node = node.get(part, {}) if isinstance(node, dict) else {}
        annotation = field.annotation
        if str(part) == "reader":
            kind = node.get("type", "simulator") if isinstance(node, dict) else "simulator"
            model = {  # type: ignore[assignment]
                "simulator": models.SimulatorConfig,
                "serial_mrz": models.SerialMrzConfig,
                "camera": models.CameraConfig,
                "chip": models.ChipConfig,
            }.get(kind)
            continue
        args = getattr(annotation, "__args__", (annotation,))
        model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return model


def _problems(err: ValidationError, data: dict[str, Any], text: str) -> list[Problem]:
    key_lines = _key_lines(text)
    out: list[Problem] = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
        key = ".".join(str(p) for p in loc) or "(top level)"
        kind = e["type"]
        if kind == "extra_forbidden":
            model = _model_at(loc, data)
            allowed = sorted(model.model_fields) if model else []
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = f"unknown key{hint} (allowed: {', '.join(allowed)})"
        elif kind == "union_tag_not_found":
            msg = "needs a type: one of simulator, serial_mrz, camera, chip"
        elif kind == "union_tag_invalid":
            msg = "unknown reader type; use one of: simulator, serial_mrz, camera, chip"
        else:
            msg = e["msg"]
            if kind == "literal_error" and "expected" in (e.get("ctx") or {}):
                msg = f"must be {e['ctx']['expected']}"
        out.append(Problem(key, _line_for(key, key_lines), msg))
    return out


_UNION_TAGS = {"simulator", "serial_mrz", "camera", "chip"}


def parse_config(text: str, source: str = "<config>") -> Config:
    """Validate TOML text; ConfigError lists every problem (one per line of its message)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(
            f"{source}: not valid TOML: {err}",
            "fix the syntax at that line (strings need quotes, tables [name])",
        ) from err
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        problems = sorted(_problems(err, data, text), key=lambda p: (p.line or 0, p.key))
        raise ConfigError(
            f"{source}: {len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems),
            "correct the keys above; config/terminal.example.toml documents every key",
        ) from None  # pydantic's text would repeat the values, which may be secrets


def load_config(path: str | Path | None = None, *, required: bool = True) -> Config:
    """Load the config file. With required=False a missing file gives the defaults (demo)."""
    file = Path(path) if path else Path(os.environ.get("IMDMS_CONFIG", DEFAULT_PATH))
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        if not required:
            return Config()
        raise ConfigError(
            f"config file {file} does not exist",
            "copy config/terminal.example.toml there, or pass --config PATH",
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(
            f"config file {file} cannot be read: {err.__class__.__name__}",
            "check its permissions (0640 root:imdms) and that it is UTF-8 text",
        ) from err
    return parse_config(text, str(file))


def credential(name: str) -> str | None:
    """A secret from systemd's LoadCredential= ($CREDENTIALS_DIRECTORY/name), or from `name` as
    an absolute path. None when absent. Never logged."""
    candidates = []
    if directory := os.environ.get("CREDENTIALS_DIRECTORY"):
        candidates.append(Path(directory) / name)
    if os.path.isabs(name):
        candidates.append(Path(name))
    for candidate in candidates:
        try:
            value = candidate.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        return value or None  # the installer leaves empty files for "not set"
    return None


def credential_path(name: str) -> Path | None:
    """Path of a credential file (for TLS keys, which ssl loads by path)."""
    if directory := os.environ.get("CREDENTIALS_DIRECTORY"):
        p = Path(directory) / name
        if p.exists():
            return p
    p = Path(name)
    return p if p.is_absolute() and p.exists() else None
