"""MRZ generator: valid MRZ lines from fields (tests, simulator, technicians). Stdlib only."""

from __future__ import annotations

from imdms.errors import MrzError
from ocr.mrz_layout import COUNTRY, FILLER, LAYOUTS, MRZ_CHARS, DocType, check_digit

# --------------------------------------------------------------------------- generator

def _mrz_text(value: str, what: str) -> str:
    """Upper-case, spaces/hyphens to '<', apostrophes dropped; reject anything else."""
    out = value.upper().replace("'", "").replace(" ", FILLER).replace("-", FILLER).replace(",", "")
    bad = sorted(set(out) - MRZ_CHARS)
    if bad:
        raise MrzError(f"{what} has characters an MRZ cannot hold: {''.join(bad)!r}",
                       "transliterate to A-Z (ICAO 9303 part 3) first")  # fmt: skip
    return out


def _fit(value: str, width: int, what: str) -> str:
    if len(value) > width:
        raise MrzError(f"{what} is longer than {width} characters", "shorten it")
    return value.ljust(width, FILLER)


def _name_field(surname: str, given_names: str, width: int) -> str:
    """Primary and secondary identifiers, '<<' between, truncated to `width` (ICAO 9303 p3)."""
    primary = _mrz_text(surname.strip(), "surname").strip(FILLER)
    secondary = _mrz_text(" ".join(given_names.split()), "given names").strip(FILLER)
    text = f"{primary}<<{secondary}" if secondary else primary
    if len(text) > width:
        if len(primary) + 3 <= width:  # truncate the given names, keep at least one letter
            text = f"{primary}<<{secondary}"[:width].rstrip(FILLER)
        else:
            text = primary[:width]
    return text.ljust(width, FILLER)


def _country(code: str, what: str, nonstandard: bool) -> str:
    code = _mrz_text(code.strip(), what).ljust(3, FILLER)
    if nonstandard and len(code) == 3:  # as some real documents print: `<<<`, `SI<`, `132`
        return code
    if not COUNTRY.fullmatch(code):
        raise MrzError(f"{what} must be three letters or D", "use an ICAO 9303 code")
    return code


def make_mrz(
    doc_type: DocType,
    *,
    document_code: str,
    issuing_state: str,
    document_number: str,
    surname: str,
    given_names: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    date_of_expiry: str,
    optional_data: str = "",
    optional_data_2: str = "",
    nonstandard_codes: bool = False,
) -> list[str]:
    """Build a valid MRZ from fields, computing every check digit.

    Dates are "YYMMDD" ('<<' for an unknown month/day); sex is M, F, X or '<' (X is written '<').
    A TD1/TD2 document number longer than 9 continues in the optional data (long-number rule).
    `nonstandard_codes` lets issuer and nationality be any three MRZ characters (the codes some
    real documents print), for tests and specimens. Raises MrzError when a field cannot be
    represented.
    """
    if doc_type not in LAYOUTS:
        raise MrzError(f"unknown MRZ type {doc_type!r}", "use TD1, TD2, TD3, MRVA or MRVB")
    lines_n, width = LAYOUTS[doc_type]
    code = _fit(_mrz_text(document_code, "document code"), 2, "document code")
    if doc_type.startswith("MRV") != code.startswith("V"):
        raise MrzError("visa layouts (MRVA/MRVB) need a document code starting with V, others not",
                       "fix the document code or the type")  # fmt: skip
    issuer = _country(issuing_state, "issuing state", nonstandard_codes)
    nation = _country(nationality, "nationality", nonstandard_codes)
    number = _mrz_text(document_number, "document number")
    dob = _fit(_mrz_text(date_of_birth, "date of birth"), 6, "date of birth")
    doe = _fit(_mrz_text(date_of_expiry, "date of expiry"), 6, "date of expiry")
    sex_char = {"M": "M", "F": "F", "X": FILLER, FILLER: FILLER, "": FILLER}.get(sex.upper())
    if sex_char is None:
        raise MrzError("sex must be M, F or X", "use X when unspecified")
    opt = _mrz_text(optional_data, "optional data")
    opt2 = _mrz_text(optional_data_2, "optional data 2")
    number_field, number_check = number.ljust(9, FILLER), check_digit(number)
    if len(number) > 9:
        if doc_type not in ("TD1", "TD2"):
            raise MrzError("document number is longer than 9 characters", "only TD1/TD2 allow it")
        number_field, number_check = number[:9], FILLER
        opt = number[9:] + check_digit(number) + (FILLER + opt if opt else "")
    dates = f"{dob}{check_digit(dob)}{sex_char}{doe}{check_digit(doe)}"
    name_width = 30 if doc_type == "TD1" else width - 5
    name = _name_field(surname, given_names, name_width)
    head = f"{code}{issuer}"
    if doc_type == "TD1":
        l1 = f"{head}{number_field}{number_check}{_fit(opt, 15, 'optional data')}"
        l2 = f"{dates}{nation}{_fit(opt2, 11, 'optional data 2')}"
        comp = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
        return [l1, l2 + check_digit(comp), name]
    l2 = f"{number_field}{number_check}{nation}{dates}"
    if doc_type == "TD3":
        opt_f = _fit(opt, 14, "optional data")
        l2 += opt_f + (check_digit(opt_f) if opt_f.strip(FILLER) else FILLER)
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    elif doc_type == "TD2":
        l2 += _fit(opt, 7, "optional data")
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    else:
        l2 += _fit(opt, width - 28, "optional data")
    assert len(l2) == width and lines_n == 2
    return [head + name, l2]
