"""The Sesotho catalog against the source: Babel extracts terminal/ here, and a msgid missing
from the .po, an empty or unmarked fuzzy translation, a stale .mo or .pot fails."""

from __future__ import annotations

import shutil
from pathlib import Path

from terminal import i18n
from tools import catalogs  # Babel: the test extra


def test_shipped_catalogs_complete_and_compiled() -> None:
    for code in catalogs.TRANSLATED:
        assert catalogs.problems(code) == []


def _copy(tmp_path: Path, text_edit: tuple[str, str]) -> Path:
    po = tmp_path / "imdms.po"
    text = catalogs.po_path("st").read_text(encoding="utf-8")
    old, new = text_edit
    assert old in text
    po.write_text(text.replace(old, new, 1), encoding="utf-8")
    shutil.copy(catalogs.po_path("st").with_suffix(".mo"), tmp_path / "imdms.mo")
    return po


def test_missing_msgid_fails(tmp_path: Path) -> None:
    po = _copy(tmp_path, ('msgid "Officer id"\nmsgstr "Nomoro ea ofisiri"\n', ""))
    assert "st: missing msgid 'Officer id'" in catalogs.problems("st", po)


def test_empty_translation_fails(tmp_path: Path) -> None:
    po = _copy(tmp_path, ('msgstr "Nomoro ea ofisiri"', 'msgstr ""'))
    assert "st: empty translation 'Officer id'" in catalogs.problems("st", po)


def test_fuzzy_fails_unless_marked_for_review(tmp_path: Path) -> None:
    marked = _copy(tmp_path, ('msgid "Officer id"', '#, fuzzy\nmsgid "Officer id"'))
    assert not [p for p in catalogs.problems("st", marked) if "fuzzy" in p]
    bare = _copy(tmp_path, ('# machine-drafted: needs native review\nmsgid "Officer id"',
                            '#, fuzzy\nmsgid "Officer id"'))
    assert "st: fuzzy, not marked for review 'Officer id'" in catalogs.problems("st", bare)


def test_every_translation_marked_machine_drafted() -> None:
    """None of ours has had a native review yet: each says so (docs/terminal.md, Languages)."""
    po = catalogs.read(catalogs.po_path("st"), "st")
    unmarked = [m.id for m in po if m.id and not any(
        catalogs.REVIEW_MARK in c for c in m.user_comments)]
    assert unmarked == []


def test_sesotho_catalog_is_what_the_booth_loads() -> None:
    assert i18n.catalog_installed("st")
    i18n.set_language("st")
    try:
        assert i18n._("Officer id") == "Nomoro ea ofisiri"
        assert i18n.gettext_in("en", "Officer id") == "Officer id"
    finally:
        i18n.set_language("en")
