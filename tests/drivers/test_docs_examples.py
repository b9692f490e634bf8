"""The [reader] blocks in docs/readers.md are valid, and `imdms read` reads a document with each
(the serial ones through a pty standing in for the device)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from config.loader import parse_config
from drivers.framing import encode
from imdms.cli import main
from ocr.specimens import specimens
from tests.drivers.ptys import Pty

DOC = Path(__file__).resolve().parents[2] / "docs" / "readers.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC.read_text(), flags=re.S)
LINES = specimens()["lso_passport"]


def test_docs_have_one_block_per_framing_and_a_simulator() -> None:
    types = [parse_config(b).reader.type for b in BLOCKS]
    framings = [getattr(parse_config(b).reader, "framing", None) for b in BLOCKS]
    assert types.count("serial_mrz") == 4 and "simulator" in types
    assert sorted(f for f in framings if f) == ["3m-rte", "desko-cute", "lines", "stx-etx"]


def _id(block: str) -> str:
    reader = parse_config(block).reader
    return str(getattr(reader, "framing", reader.type))


@pytest.mark.parametrize("block", BLOCKS, ids=_id)
def test_imdms_read_with_each_example(
    block: str, pty: Pty, present_once_open: list[bytes], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reader = parse_config(block).reader
    text = block.replace('"/dev/imdms-mrz"', json.dumps(pty.path))
    path = tmp_path / "terminal.toml"
    path.write_text(text)
    if reader.type == "serial_mrz":
        present_once_open.append(encode(LINES, reader.framing))
    code = main(["read", "--config", str(path), "--specimen", "lso_passport", "--timeout", "5"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["raw_lines"] == LINES
