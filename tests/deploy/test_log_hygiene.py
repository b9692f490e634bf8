"""Log hygiene by reading the source (tests/conftest.py checks every record the suite logs):

- logging calls use %-style arguments, never f-strings, .format() or % in the call;
- no logging call and no exception message names a personal field (surname, document number...);
- no print() outside the command-line modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from tests.deploy.helpers import REPO

PACKAGES = ("imdms", "terminal", "drivers", "ocr", "messaging", "config", "central")
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
LOGGER_NAMES = {"log", "logger", "_log", "_logger", "LOG", "LOGGER", "logging"}
# Fields of MrzRecord, DocumentRead, ChipSummary and the crossing record that identify a person.
PERSONAL = {"surname", "given_names", "document_number", "date_of_birth", "raw_lines",
            "dg1_lines", "face_image", "optional_data", "optional_data_2", "personal_number"}
# Modules that print on purpose: the command line.
CLI_PREFIXES = ("imdms/cli/__init__.py", "imdms/cli/commands/", "imdms/cli/doctor/outbox.py")


def sources() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            try:
                yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            except SyntaxError:  # someone's work in progress; ruff reports it
                continue


def _is_logging_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LOG_METHODS:
        return False
    target = func.value
    if isinstance(target, ast.Name):
        return target.id in LOGGER_NAMES
    if isinstance(target, ast.Attribute):
        return target.attr in LOGGER_NAMES
    if isinstance(target, ast.Call):  # logging.getLogger(__name__).info(...)
        return isinstance(target.func, ast.Attribute) and target.func.attr == "getLogger"
    return False


def _message_arg(node: ast.Call) -> ast.expr | None:
    index = 1 if isinstance(node.func, ast.Attribute) and node.func.attr == "log" else 0
    return node.args[index] if len(node.args) > index else None


def _names_personal(node: ast.AST) -> str | None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in PERSONAL:
            return sub.attr
        if isinstance(sub, ast.Name) and sub.id in PERSONAL:
            return sub.id
    return None


def _main_block_lines(tree: ast.Module) -> set[int]:
    """Lines under `if __name__ == "__main__":` (a module run as a script may print)."""
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if hasattr(sub, "lineno"):
                    lines.add(sub.lineno)
    return lines


def _problems(rel: str, tree: ast.Module) -> Iterator[str]:
    cli = rel.startswith(CLI_PREFIXES)
    script_lines = _main_block_lines(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if _is_logging_call(node):
                msg = _message_arg(node)
                if isinstance(msg, ast.JoinedStr):
                    yield f"{rel}:{node.lineno}: f-string in a logging call (use %-style args)"
                elif isinstance(msg, ast.Call) and isinstance(msg.func, ast.Attribute) \
                        and msg.func.attr == "format":
                    yield f"{rel}:{node.lineno}: .format() in a logging call"
                elif isinstance(msg, ast.BinOp) and isinstance(msg.op, ast.Mod):
                    yield f"{rel}:{node.lineno}: % formatting in a logging call (pass the args)"
                if (field := _names_personal(node)) is not None:
                    yield f"{rel}:{node.lineno}: logs the personal field {field!r}"
            elif isinstance(node.func, ast.Name) and node.func.id == "print" and not cli \
                    and node.lineno not in script_lines:
                yield f"{rel}:{node.lineno}: print() outside the command line (use logging)"
        elif isinstance(node, ast.Raise) and node.exc is not None:
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.JoinedStr) and (field := _names_personal(sub)):
                    yield f"{rel}:{node.lineno}: exception message holds {field!r}"


def test_no_personal_data_or_fstrings_in_logs() -> None:
    problems = [p for rel, tree in sources() for p in _problems(rel, tree)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("code", "expected"), [
    ('log.info(f"read {n}")', "f-string"),
    ('logger.warning("read %s" % n)', "% formatting"),
    ('self.log.error("x {}".format(n))', ".format()"),
    ('log.info("reader %s", rec.surname)', "personal field 'surname'"),
    ('logging.getLogger(__name__).debug("%s", read.raw_lines)', "'raw_lines'"),
    ('raise ReaderError(f"bad {mrz.document_number}")', "exception message"),
    ('print(x)', "print()"),
])
def test_the_scanner_catches(code: str, expected: str) -> None:
    found = list(_problems("drivers/x.py", ast.parse(code)))
    assert found and expected in found[0]


def test_the_scanner_allows() -> None:
    good = ('log.info("read %d lines in %.1f s", len(lines), elapsed)\n'
            'log.log(logging.INFO, "state %s", state)\n'
            'raise ReaderError(f"port {port} is busy", "stop the kiosk")\n')
    assert list(_problems("drivers/x.py", ast.parse(good))) == []
    assert list(_problems("imdms/cli/commands/read.py", ast.parse("print(rec.surname)"))) == []
    script = 'if __name__ == "__main__":\n    print(example_text())\n'
    assert list(_problems("config/example.py", ast.parse(script))) == []
