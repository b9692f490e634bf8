"""The systemd unit runs commands this CLI accepts, with the credentials the settings read."""

from __future__ import annotations

import shlex
from pathlib import Path

from imdms.cli import build_parser

UNIT = Path(__file__).resolve().parents[2] / "deploy/central/systemd/imdms-console.service"


def commands() -> list[list[str]]:
    text = UNIT.read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        if line.startswith(("ExecStart=", "ExecStartPre=")):
            out.append(shlex.split(line.split("=", 1)[1]))
    return out


def test_unit_commands_parse() -> None:
    cmds = commands()
    assert [c[1:3] for c in cmds] == [["console", "migrate"], ["console", "--bind"]]
    for cmd in cmds:
        assert cmd[0] == "/opt/imdms/venv/bin/imdms"
        args = build_parser().parse_args(cmd[1:])
        assert args.command == "console"
    serve = build_parser().parse_args(cmds[1][1:])
    assert serve.tls_cert and serve.tls_key


def test_unit_loads_the_secret_key_credential() -> None:
    from console.settings import SECRET_CREDENTIAL

    assert f"LoadCredential={SECRET_CREDENTIAL}:" in UNIT.read_text()
