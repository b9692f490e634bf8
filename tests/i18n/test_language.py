"""terminal/i18n.py: switching, fallback to English, refusing unknown codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imdms.errors import ImdmsError
from terminal import i18n


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


def test_english_is_identity() -> None:
    i18n.set_language("en")
    assert i18n.current_language() == "en"
    assert i18n._("Officer id") == "Officer id"
    assert i18n.ngettext("%d crossing", "%d crossings", 2) == "%d crossings"


def test_unknown_code_refused_with_hint() -> None:
    with pytest.raises(ImdmsError) as err:
        i18n.set_language("fr")
    assert "en" in err.value.hint and "st" in err.value.hint
    assert i18n.current_language() == "en"


def test_untranslated_text_falls_back_to_english() -> None:
    i18n.set_language("st")
    assert i18n.current_language() == "st"
    assert i18n._("no such msgid anywhere") == "no such msgid anywhere"


def test_next_language_cycles() -> None:
    assert i18n.next_language("en") == "st"
    assert i18n.next_language("st") == "en"


def test_every_code_list_member_has_a_translatable_label() -> None:
    """A member without an entry in labels._LABELS shows English even in a Sesotho shift."""
    from records import codes
    from terminal import labels

    for enum in (codes.Decision, codes.Direction, codes.Purpose, codes.RefusalReason,
                 codes.Relationship, codes.Sex, codes.TipReferral, codes.TransportMode,
                 codes.TransportRole, codes.TravellerCategory):
        assert [m for m in enum if m not in labels._LABELS] == [], enum.__name__


def test_labels_follow_the_language_wire_values_do_not() -> None:
    from records.codes import TipIndicator, TravellerCategory
    from terminal.labels import label, tip_label

    i18n.set_language("st")
    assert label(TravellerCategory.MINEWORKER) == "Mosebetsi oa merafong"
    assert TravellerCategory.MINEWORKER.value == "MINEWORKER"
    assert tip_label(TipIndicator.PREVIOUS_IRREGULAR_CROSSING).startswith("O kile")
    i18n.set_language("en")
    assert label(TravellerCategory.MINEWORKER) == "Mineworker"
