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


def test_warm_unit_command_parses() -> None:
    warm = UNIT.with_name("imdms-console-warm.service").read_text()
    line = next(x for x in warm.splitlines() if x.startswith("ExecStart="))
    args = build_parser().parse_args(shlex.split(line.split("=", 1)[1])[1:])
    assert (args.command, args.console_cmd) == ("console", "warm")
    assert "OnUnitActiveSec=1min" in UNIT.with_name("imdms-console-warm.timer").read_text()


def test_unit_loads_the_secret_key_credential() -> None:
    from console.settings import SECRET_CREDENTIAL

    assert f"LoadCredential={SECRET_CREDENTIAL}:" in UNIT.read_text()


def test_warm_takes_rebuild() -> None:
    assert build_parser().parse_args(["console", "warm", "--rebuild"]).rebuild
    assert not build_parser().parse_args(["console", "warm"]).rebuild
