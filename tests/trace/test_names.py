"""Name folding: transliteration variants and name order meet; different names stay apart."""

from __future__ import annotations

import pytest

from central.trace.names import doc_key, fold, name_key, name_score


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Müller", "Hans Peter"), ("MUELLER", "HANS PETER")),  # ICAO Ü -> UE
        (("MULLER", "HANS PETER"), ("Müller", "Hans-Peter")),  # Ü -> U, hyphen
        (("Åström", "Lars"), ("AASTROEM", "LARS")),  # Å -> AA, Ö -> OE
        (("Jäger", "Søren"), ("JAEGER", "SOEREN")),  # Ä -> AE, Ø -> OE
        (("Straße", "Zoë"), ("STRASSE", "ZOE")),  # ß -> SS, diaeresis dropped
        (("MOKOENA", "LERATO"), ("LERATO", "MOKOENA")),  # surname and given name swapped
        (("Nthabiseng", "Mokoena Lerato"), ("MOKOENA", "LERATO<<NTHABISENG")),  # MRZ filler
    ],
)
def test_variants_fold_to_one_key(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert name_key(*a) == name_key(*b)
    assert name_score(name_key(*a), name_key(*b)) == 100


def test_twins_names_stay_below_the_link_threshold() -> None:
    for other in ("LINEO", "LEBOHANG", "TUMELO"):
        assert name_score(name_key("MOKOENA", "LERATO"), name_key("MOKOENA", other)) < 85


def test_a_bare_surname_does_not_match_a_full_name() -> None:
    assert name_score(name_key("MOKOENA", None), name_key("MOKOENA", "LERATO")) < 85


def test_fold_and_doc_key() -> None:
    assert fold("d'Ángelo-Ñúñez") == "D ANGELO NUNEZ"
    assert doc_key("lso", "ra 123<4567", "1990-05-17") == "LSO:RA1234567:1990-05-17"
    assert doc_key("LSO", "<<<", None) is None
