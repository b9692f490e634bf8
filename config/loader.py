"""Load and validate the terminal's TOML configuration, reporting every problem at once.

Each problem names the dotted key, the line in the file, what is allowed, and for an unknown key
the closest allowed name ("did you mean"). Secrets never live in the TOML: see config/secrets.py.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import ValidationError

from config.models import Config
from config.problems import problems
from config.readers import config_class
from config.secrets import credential, credential_path
from imdms.errors import ConfigError

DEFAULT_PATH = Path("/etc/imdms/terminal.toml")
# messaging/ and central/unseal.py import these from here; config/secrets.py is the one reader
__all__ = ["DEFAULT_PATH", "credential", "credential_path", "load_config", "parse_config"]


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
        reader = data.get("reader")
        model = config_class(reader.get("type") if isinstance(reader, dict) else None)
        return model.model_validate(data, strict=True)
    except ValidationError as err:
        found = problems(err, data, text)
        raise ConfigError(
            f"{source}: {len(found)} problem(s):\n" + "\n".join(f"  {p}" for p in found),
            "correct the keys above; config/terminal.example.toml documents every key",
        ) from None  # pydantic's text would repeat the values, which may be secrets


def load_config(path: str | Path | None = None, *, required: bool = True) -> Config:
    """Load the config file. With required=False a missing file gives the defaults (demo)."""
    file = Path(path) if path else Path(os.environ.get("IMDMS_CONFIG", DEFAULT_PATH))
    try:
        text = file.read_text(encoding="utf-8-sig")  # Windows editors write a BOM
    except FileNotFoundError as err:
        if not required:
            return Config()
        raise ConfigError(
            f"config file {file} does not exist",
            "copy config/terminal.example.toml there, or pass --config PATH",
        ) from err
    except IsADirectoryError as err:
        raise ConfigError(f"config file {file} is a folder, not a file",
                          "give the path of the .toml file, e.g. /etc/imdms/terminal.toml") from err
    except (OSError, UnicodeDecodeError) as err:
        why = "it is not UTF-8 text" if isinstance(err, UnicodeDecodeError) else (
            err.strerror or err.__class__.__name__)
        raise ConfigError(
            f"config file {file} cannot be read: {why}",
            "check its permissions (0640 root:imdms) and that it is UTF-8 text",
        ) from err
    return parse_config(text, str(file))
