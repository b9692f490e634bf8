"""Names and documents made comparable: folding, ICAO 9303 transliterations, sorted tokens.
Shared by the centre's person index and the booth's watchlist name match.

A name reaches the centre as the MRZ wrote it (MUELLER, already transliterated), as an officer
typed it (Müller, Muller) or with surname and given names swapped. `name_key` folds all of them
to one form: diacritics dropped, the ICAO 9303 Part 3 two-letter transliterations reduced to
their base letter (AE/Ä -> A, OE/Ö -> O, UE/Ü -> U, AA/Å -> A), tokens sorted. The distance
between two keys is rapidfuzz's (a maintained C++ implementation), never a hand-written one.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

# ICAO 9303 Part 3 table letters NFKD cannot decompose (their MRZ spelling)
SPECIAL = str.maketrans(
    {
        "ß": "SS",
        "Æ": "AE",
        "æ": "AE",
        "Ø": "OE",
        "ø": "OE",
        "Œ": "OE",
        "œ": "OE",
        "Þ": "TH",
        "þ": "TH",
        "Ð": "D",
        "ð": "D",
        "Đ": "D",
        "đ": "D",
        "Ł": "L",
        "ł": "L",
        "Ħ": "H",
        "ħ": "H",
        "ı": "I",
        "Ŋ": "N",
        "ŋ": "N",
    }
)
# MRZ digraphs (and the letters with diaeresis or ring they stand for) fold to one letter, so
# MÜLLER, MUELLER and MULLER meet; doubled letters fold too (typing slips: MOKOENNA)
DIGRAPHS = re.compile(r"AE|OE|UE|AA")
DOUBLED = re.compile(r"([A-Z])\1+")
NOT_LETTER = re.compile(r"[^A-Z]+")
DOC_JUNK = re.compile(r"[^0-9A-Z]")
# the person index's AUTO_SCORE (central/trace/index.py): a booth's watchlist hit on name and
# date of birth needs what an automatic link at the centre needs
MATCH_SCORE = 92.0


def fold(text: str) -> str:
    """Upper-case A-Z and spaces only: diacritics dropped, ICAO special letters spelled out."""
    text = unicodedata.normalize("NFKD", text.translate(SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return NOT_LETTER.sub(" ", text.replace("<", " ")).strip()


def tokens(*parts: str | None) -> list[str]:
    """The folded name tokens, digraphs and doubled letters reduced, sorted (order-free)."""
    out: list[str] = []
    for part in parts:
        for tok in fold(part or "").split():
            tok = DOUBLED.sub(r"\1", DIGRAPHS.sub(lambda m: m.group(0)[0], tok))
            if tok:
                out.append(tok)
    return sorted(out)


def name_key(surname: str | None, given_names: str | None) -> str:
    """One comparable string for a person's whole name ("" when there is none)."""
    return " ".join(tokens(surname, given_names))


def name_block(key: str) -> str:
    """The blocking key of approximate-age matching: the first three letters of the sorted
    name key (order-free; a near-identical name, as that matching requires, keeps it)."""
    return key[:3]


def name_score(a: str, b: str) -> float:
    """0-100 similarity of two name keys, insensitive to token order and to a missing middle
    name: the better of rapidfuzz's token_sort_ratio and a token_set_ratio held back when one
    side is a single token (a bare surname must not match every bearer of it)."""
    if not a or not b:
        return 0.0
    score = float(fuzz.token_sort_ratio(a, b))
    if min(a.count(" "), b.count(" ")) >= 1:
        score = max(score, float(fuzz.token_set_ratio(a, b)) - 2.0)
    return score


def doc_number(number: str | None) -> str:
    """A document number as the MRZ holds it: upper case, filler and spaces dropped."""
    return DOC_JUNK.sub("", (number or "").upper())


def doc_key(issuer: str | None, number: str | None, dob: str | None) -> str | None:
    """ISSUER:NUMBER:DOB (DOB may be empty), or None without a number."""
    num = doc_number(number)
    if not num:
        return None
    return f"{(issuer or '').upper()}:{num}:{dob or ''}"
