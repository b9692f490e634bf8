"""`imdms config validate|show|set KEY VALUE`: the technician's view of /etc/imdms/terminal.toml."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdms.errors import ConfigError

if TYPE_CHECKING:
    from config.models import Config


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("config", parents=[common], help="validate, show or set the configuration")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    v = actions.add_parser("validate", parents=[common], help="list every problem; exit 1 if any")
    v.set_defaults(func=validate)
    s = actions.add_parser(
        "show", parents=[common], help="print the effective config (defaults filled in)"
    )
    s.add_argument("--json", action="store_true", help="JSON instead of TOML-like text")
    s.set_defaults(func=show)
    st = actions.add_parser(
        "set", parents=[common], help="set KEY (dotted) to VALUE, keeping comments"
    )
    st.add_argument("key", help="dotted key, e.g. terminal.border_post")
    st.add_argument("value", help='TOML value (42, true, "text"); bare words are strings')
    st.set_defaults(func=set_value)


def validate(args: argparse.Namespace) -> int:
    from config.loader import load_config

    try:
        load_config(args.config)
    except ConfigError as err:
        print(err.message, file=sys.stderr)
        print(f"  what to do: {err.hint}", file=sys.stderr)
        return 1
    print(f"{args.config}: OK")
    return 0


def show(args: argparse.Namespace) -> int:
    from config.loader import load_config

    cfg = load_config(args.config, required=True)
    if args.json:
        print(json.dumps(cfg.model_dump(mode="json"), indent=2))
        return 0
    print(config_toml(cfg), end="")
    return 0


def config_toml(cfg: Config) -> str:
    """The effective config as TOML that `config validate` accepts: one table per section,
    unset values (None) as comments, since TOML has no null."""
    import tomlkit
    from pydantic import BaseModel

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"effective configuration (defaults filled in), imdms {_version()}"))

    def fill(table: Any, model: BaseModel, values: dict[str, Any]) -> None:
        subtables = []
        for key, value in values.items():
            if value is None:
                table.add(tomlkit.comment(f"{key} is not set"))
            elif isinstance(getattr(model, key), BaseModel):
                subtables.append(key)
            elif isinstance(value, dict):  # a mapping setting (logging.levels): stays inline
                inline = tomlkit.inline_table()
                inline.update(value)
                table.add(key, inline)
            else:
                table.add(key, value)
        for key in subtables:
            sub = tomlkit.table()
            fill(sub, getattr(model, key), values[key])
            table.add(key, sub)

    for section, values in cfg.model_dump(mode="json").items():
        if values is None:
            doc.add(tomlkit.nl())
            doc.add(tomlkit.comment(f"[{section}] is not set"))
            continue
        table = tomlkit.table()
        fill(table, getattr(cfg, section), values)
        doc.add(tomlkit.nl())
        doc.add(section, table)
    return tomlkit.dumps(doc)


def _version() -> str:
    from imdms import __version__

    return __version__


def _parse_value(text: str) -> Any:
    """A TOML value as tomlkit parses it (an inline table stays inline, in place); a bare word
    is a string."""
    import tomlkit

    try:
        return tomlkit.parse(f"v = {text}\n")["v"]
    except tomlkit.exceptions.ParseError:
        return tomlkit.string(text)


def set_value(args: argparse.Namespace) -> int:
    import tomlkit

    from config.loader import parse_config

    path = Path(args.config)
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist",
                          "copy config/terminal.example.toml there first, or pass --config PATH")
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, tomlkit.exceptions.ParseError) as err:
        raise ConfigError(f"cannot read {path}: {err}", "fix the file or its permissions") from err
    parts = args.key.split(".")
    node: Any = doc
    for part in parts[:-1]:
        if part not in node:
            node[part] = tomlkit.table()
        node = node[part]
        if not isinstance(node, dict):
            raise ConfigError(f"{args.key}: {part} is a value, not a table", "check the key")
    node[parts[-1]] = _parse_value(args.value)
    text = tomlkit.dumps(doc)
    parse_config(text, str(path))  # refuse to write a config that would not load
    old = path.stat() if path.exists() else None
    mode = old.st_mode & 0o777 if old else 0o640
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if old is not None and os.geteuid() == 0:
            # keep root:imdms: a root-owned replacement would lock the kiosk out of its config
            os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"{args.key} = {json.dumps(_parse_value(args.value).unwrap())}")
    return 0
