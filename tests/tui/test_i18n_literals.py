"""No officer-visible English literal in terminal/screens, terminal/widgets and the modules that
build screen text (MODULES) escapes the catalogs: an AST scan of
the strings handed to widgets and messages (Static, Label, Text, notify, Binding descriptions,
placeholders, ...) and of the module-level tables of words. A string counts as wrapped inside
_(), N_() or ngettext(); key names, ids, classes and rich styles are not text."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from imdms import errors

TERMINAL = Path(__file__).resolve().parents[2] / "terminal"
SCREENS = TERMINAL / "screens"
# outside screens/: the modules whose texts reach a screen (banners, notices, problems, flashes)
MODULES = ("crossers.py", "chip_checks.py", "booking.py", "booking_form.py", "group_keys.py",
           "app.py", "booth.py", "booth_base.py", "labels.py", "routing.py", "pump.py",
           "chip_link.py", "drafts.py", "keyboard.py", "watchlist_hits.py", "referrals.py",
           "saving.py", "officers.py")
# literals there that are not text: (module, literal as unparsed)
NOT_TEXT = {
    ("app.py", "'chip'"),  # the chip reader's config section name
    ("screens/photo.py", "'no document'"),  # terminal.photo's reason code, a dict key
    ("chip_checks.py", "f'Le {max_le}'"),  # the APDU's Le, for the technician
    ("widgets/status_bar.py", "'IMDMS'"),  # the product's name, outside a booth
    # make_app's configuration error: the CLI prints it before anyone signs in (English)
    ("app.py", "f'the officer directory key cannot be used: {err}'"),
    ("app.py", "'check [directory] public_key (a PEM Ed25519 public key from headquarters)'"),
    # still English, listed in docs/terminal.md (the chip panel's reasons): for chip_checks.py
    ("chip_checks.py", "'not reported by the chip reader'"),
    # `imdms officer add`'s checks of a new id and PIN: only the (English) CLI shows them
    ("officers.py", '"an officer id is 1-32 letters, digits, \'.\', \'_\' or \'-\'"'),
    ("officers.py", '"use the officer\'s pseudonymous id (never a name), e.g. \'msu-017\'"'),
    ("officers.py", "'a PIN is 4 to 12 digits'"),
    ("officers.py", "'choose a PIN of digits only'"),
    # the officers file's TOML, not a text
    ("officers.py", """f'\\n[officers."{oid}"]\\npin_hash = "{o.pin_hash}"\\n"""
                    """added_at = "{o.added_at}"\\n'"""),
}
# class and module attributes that hold no text: CSS, the app's title (no header shows it)
NOT_TEXT_NAMES = {"DEFAULT_CSS", "CSS", "TITLE", "__all__"}
WRAPPERS = {"_", "N_", "ngettext", "gettext_in"}
# every positional argument is text the officer reads
TEXT_CALLS = {"Static", "Label", "Button", "TickBox", "Checkbox", "Text", "notify",
              "show_error", "ConfirmModal", "ErrorModal", "back_to_scan", "flash", "update",
              "add_columns", "_fail", "on_failure"}
# an ImdmsError's message and hint reach the officer (ErrorModal, "NOT SAVED: ...", the
# sign-in); ValueError and RuntimeError are a programmer's, not text
ERROR_CALLS = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, errors.ImdmsError)}
SECOND_ARG_CALLS = {"ReaderState", "ReadFailure"}  # (status or kind, then the text)
FIRST_ARG_CALLS = {"append"}  # Text.append(text, style): the style is not text
TEXT_KEYWORDS = {"placeholder", "blank", "title", "message", "hint", "description", "tooltip",
                 "error"}
STYLE_WORDS = {"bold", "dim", "italic", "reverse", "underline", "on", "red", "green", "yellow",
               "cyan", "blue", "magenta", "white", "black", "not"}
# stay as they are
KEY_NAMES = {"Tab / Shift+Tab", "Space", "Enter", "Esc", "Tab", "F1", "F9", "PIN"}
# the traveller screen names its two texts in their own languages
KEY_NAMES |= {"Sesotho - English"}
WORDS = re.compile(r"[A-Za-z]{2,}")


def _is_text(value: str) -> bool:
    for name in sorted(KEY_NAMES, key=len, reverse=True):  # "Tab / Shift+Tab" before "Tab"
        value = value.replace(name, "")
    if not WORDS.search(value) or re.fullmatch(r"\w+_\w+", value) or "%(" in value:
        return False
    return not set(value.split()) <= STYLE_WORDS


def _wrapped(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in WRAPPERS


def _literals(node: ast.AST) -> Iterator[ast.AST]:
    """String literals in an argument expression, except inside _()."""
    if _wrapped(node):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _is_text(node.value):
            yield node
    elif isinstance(node, ast.JoinedStr):
        fixed = "".join(v.value for v in node.values
                        if isinstance(v, ast.Constant) and isinstance(v.value, str))
        if _is_text(fixed):
            yield node
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                yield from _literals(part.value)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.BoolOp):  # `read.error or "the default"`
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, ast.Tuple) and node.elts:  # (text, style) pairs
        yield from _literals(node.elts[0])
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr in ("format", "join", "get"):
        yield from _literals(node.func.value)
        for arg in node.args:
            yield from _literals(arg)


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _in_calls(tree: ast.AST) -> Iterator[ast.AST]:
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = _call_name(call)
        args: list[ast.expr] = []
        if name == "row":
            args = call.args[:2]  # document.py's field rows: name, value (then a check key)
        elif name == "Problem":
            args = call.args[1:2]  # booking.py's save problems: field name, then the text
        elif name in TEXT_CALLS or name in ERROR_CALLS:
            args = list(call.args)
        elif name in FIRST_ARG_CALLS:
            args = call.args[:1]
        elif name in SECOND_ARG_CALLS:
            args = call.args[1:2]
        elif name == "Binding":
            args = call.args[2:3]  # key and action are not text
        args += [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
        for arg in args:
            yield from _literals(arg)


def _prose(value: str) -> bool:
    """A table's string the officer reads: words with a space, or a capitalised word (ids,
    dict keys, "#selectors" and styles are none of these)."""
    if value.startswith("#") or not _is_text(value):
        return False
    return " " in value.strip() or bool(re.fullmatch(r"[A-Z][a-z]+", value))


def _not_text_name(stmt: ast.AST) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    return any(getattr(t, "id", None) in NOT_TEXT_NAMES for t in targets)


def _in_tables(tree: ast.Module) -> Iterator[ast.AST]:
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is None:
            continue
        if _not_text_name(stmt):
            continue
        if not isinstance(stmt.value, ast.List | ast.Tuple | ast.Dict):
            continue
        stack: list[ast.AST] = [stmt.value]
        while stack:
            node = stack.pop()
            if _wrapped(node) or (isinstance(node, ast.Call) and _call_name(node) == "Binding"):
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _prose(node.value):
                    yield node
            stack.extend(ast.iter_child_nodes(node))


def _in_statements(tree: ast.AST) -> Iterator[ast.AST]:
    """Text built up before it is shown: `return "..."`, `note = "..."`, `x += "..."`."""
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Return | ast.Assign | ast.AugAssign) and stmt.value is not None:
            if _not_text_name(stmt):
                continue
            value = stmt.value  # a returned (message, hint) pair: both are text
            parts = value.elts if isinstance(stmt, ast.Return) and \
                isinstance(value, ast.Tuple) else [value]
            for node in (n for part in parts for n in _literals(part)):
                if not isinstance(node, ast.Constant) or _prose(str(node.value)):
                    yield node


def unwrapped(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    found = {id(n): n for n in [*_in_calls(tree), *_in_tables(tree), *_in_statements(tree)]}
    return sorted((getattr(n, "lineno", 0), ast.unparse(n)) for n in found.values())


def scanned() -> list[Path]:
    return [*sorted(SCREENS.glob("*.py")), *sorted((TERMINAL / "widgets").glob("*.py")),
            *(TERMINAL / name for name in MODULES)]


def test_every_officer_visible_literal_in_screens_is_wrapped() -> None:
    found = []
    for path in scanned():
        module = path.relative_to(TERMINAL).as_posix()
        found += [f"{module}:{line}: {text}"
                  for line, text in unwrapped(path.read_text(encoding="utf-8"))
                  if (module, text) not in NOT_TEXT]
    assert found == [], "wrap these in _() (or N_() where defined at import):\n" + \
        "\n".join(found)


def test_the_scan_sees_each_kind_of_literal() -> None:
    """The checker itself: each shape it must catch, and what it must leave alone."""
    source = '''
TABLE = [("1", X, "travelling alone"), ("#id", "Word")]
Binding("f2", "save", "Save")
Static("A title", classes="title", id="x")
Label(f"Type the {n}-character code")
text.append("PROPOSED as last time", style="bold reverse yellow")
box.update("To save: " + "; ".join(p))
self.app.notify(f"{what}: set", severity="error")
Input(placeholder="days", id="stay")
out.append(("WATCHLIST HIT", "alert"))
Static(_("Wrapped"), classes="keys")
Binding("f3", "x", N_("Also wrapped"))
Text(_("{n} flagged").format(n=n), style="bold yellow")
Text("", style="bold red")
note = {"M": "M male"}.get(sex, "Not yet judged") if x else _("Fine")
row("Composite", "", "composite")
raise ConfigError(f"file {path} is not valid", "restore it from backup")
return (f"NOT SAVED: {reason}", "press F2 again")
app.show_error(_("Document not read"), read.error or "the reader could not read it", hint)
self.on_failure(f"Reader '{name}' failed", message, hint)
ReaderState(ReaderStatus.ERROR, "reader fault")
DocumentRead(source="chip", error="the chip keys cannot be taken", failure=F)
'''
    lines = [line for line, _ in unwrapped(source)]
    assert lines == [2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 15, 16, 17, 17, 18, 18, 19, 20, 21, 22]


def test_the_scan_knows_what_is_not_text() -> None:
    """Save problems are text; CSS, the title, log formats, __all__ and a programmer's
    ValueError are not."""
    source = '''
out.append(Problem("purpose", "choose the purpose"))
DEFAULT_CSS = "Choice { height: 1; }"
TITLE = "IMDMS border terminal"
fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
__all__ = ["Decision", "Direction"]
raise ValueError("a read without an MRZ cannot make a record")
return ChipCheck.FAILED, reason
'''
    assert [line for line, _ in unwrapped(source)] == [2]
    assert {path.name for path in scanned()} >= {"chip_panel.py", "booth.py", "scan.py"}


def test_texts_built_outside_the_screens_follow_the_language() -> None:
    """A few of the wrapped texts, built as the screens build them, in a Sesotho shift (and
    English as before after it)."""
    from drivers.base import DocumentRead
    from terminal import i18n
    from terminal.booking import Form
    from terminal.labels import doc_tail
    from terminal.widgets.chip_panel import chip_text

    def shown() -> tuple[str, str, str]:
        read = DocumentRead(source="serial_mrz", reader_name="fake")
        return (doc_tail(None), Form().problems(minor=False)[0].text, chip_text(read).plain)

    english = ("no doc", "choose a traveller category", "Chip: not read (optical MRZ only)")
    assert shown() == english
    i18n.set_language("st")
    try:
        assert all(st != en for st, en in zip(shown(), english, strict=True))
    finally:
        i18n.set_language("en")
    assert shown() == english


def test_messages_and_hints_outside_the_screens_follow_the_language() -> None:
    """The "NOT SAVED: ..." pair, the idle sign-out notice and a failed read's hint, in English
    exactly as before, in Sesotho after a switch, and in English again."""
    from typing import cast

    from drivers.base import DocumentRead
    from imdms.errors import ImdmsError
    from records.record import CrossingRecord
    from terminal import i18n, saving
    from terminal.drafts import idle_notice
    from terminal.ports import OutboxLike
    from terminal.routing import unread_hint

    class Refusing:
        def add(self, record: CrossingRecord) -> None:
            raise ImdmsError("outbox locked")

    def shown() -> tuple[str, ...]:
        problem = saving.write(cast(OutboxLike, Refusing()), cast(CrossingRecord, None))
        assert problem is not None
        hint = unread_hint(DocumentRead(source="serial_mrz", reader_name="fake"), None)
        return (*problem, idle_notice("msu-017", 300, kept=True), hint)

    english = ("NOT SAVED: outbox locked",
               "check the entries and press F2 again; the traveller stays on screen",
               "Signed out after 5 min without a key press. The open traveller is kept: sign in"
               " as msu-017 to continue.",
               "present the document again, flat and still; or type the MRZ (F3)")
    assert shown() == english
    i18n.set_language("st")
    try:
        sesotho = shown()
        assert all(st != en for st, en in zip(sesotho, english, strict=True))
        assert sesotho[0] == "HA EA BOLOKOA: outbox locked"  # the lower layer's text as it is
        assert "msu-017" in sesotho[2]
    finally:
        i18n.set_language("en")
    assert shown() == english
