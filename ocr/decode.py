"""Decode per-cell log-probabilities into MRZ lines, using the ICAO 9303 structure.

Every position has a character class (letters, digits, '<', sex), so an OCR-B '0' in a name
becomes 'O' and a 'B' in a date becomes '8' before any check digit is consulted. The checked
fields are then searched over the classifier's top alternatives for the cheapest set of
substitutions (cost = lost log-probability) that makes every check digit pass, and the cost
gap to the next-best valid reading tells how sure we are. Unchecked fields (names,
nationality, issuer, sex, optional data) get a confidence from their own scores.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from ocr.classify import ALPHABET
from ocr.country_codes import KNOWN_CODES
from ocr.mrz import check_digit

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
DIGITS = "0123456789"
ALNUM = DIGITS + LETTERS
SEX = "MFX<"

Pos = tuple[int, int]  # (line, column)

MAX_EDITS_PER_FIELD = 2  # _field_options enumerates single edits and pairs
ALT_COST = 9.0  # alternatives costing more log-probability than this are never tried


@dataclass(frozen=True, slots=True)
class Layout:
    doc_type: str
    length: int
    lines: int
    classes: tuple[str, ...]  # per line: one class letter per column (l, d, a, s, c, x)
    checks: tuple[tuple[str, tuple[Pos, ...], Pos], ...]  # (field, data positions, check position)
    composite: tuple[tuple[Pos, ...], Pos] | None
    unchecked: tuple[tuple[str, tuple[Pos, ...]], ...]
    dates: tuple[str, ...] = ("date_of_birth", "date_of_expiry")


def _span(line: int, a: int, b: int) -> tuple[Pos, ...]:
    return tuple((line, i) for i in range(a, b))


# class letters: l = letter/<, d = digit, a = alnum/<, s = sex, c = digit or '<',
# n = country code (alnum/<, digits discouraged), p / t / v = the document code's first letter
# (ICAO 9303: P on passports, A, C or I on TD1/TD2 cards, V on visas; others discouraged)
def _visa_layout(name: str, width: int) -> Layout:
    """MRV-A (44) and MRV-B (36) differ only in width: line 2 has the same fields and checks."""
    return Layout(
        name,
        width,
        2,
        ("vlnnn" + "l" * (width - 5),
         "a" * 9 + "d" + "nnn" + "d" * 7 + "s" + "d" * 7 + "a" * (width - 28)),
        (
            ("document_number", _span(1, 0, 9), (1, 9)),
            ("date_of_birth", _span(1, 13, 19), (1, 19)),
            ("date_of_expiry", _span(1, 21, 27), (1, 27)),
        ),
        None,
        (
            ("document_code", _span(0, 0, 2)),
            ("issuing_state", _span(0, 2, 5)),
            ("names", _span(0, 5, width)),
            ("nationality", _span(1, 10, 13)),
            ("sex", ((1, 20),)),
        ),
    )


LAYOUTS = {
    "TD3": Layout(
        "TD3",
        44,
        2,
        ("plnnn" + "l" * 39, "a" * 9 + "d" + "nnn" + "d" * 7 + "s" + "d" * 7 + "a" * 14 + "cd"),
        (
            ("document_number", _span(1, 0, 9), (1, 9)),
            ("date_of_birth", _span(1, 13, 19), (1, 19)),
            ("date_of_expiry", _span(1, 21, 27), (1, 27)),
            ("optional_data", _span(1, 28, 42), (1, 42)),
        ),
        (_span(1, 0, 10) + _span(1, 13, 20) + _span(1, 21, 43), (1, 43)),
        (
            ("document_code", _span(0, 0, 2)),
            ("issuing_state", _span(0, 2, 5)),
            ("names", _span(0, 5, 44)),
            ("nationality", _span(1, 10, 13)),
            ("sex", ((1, 20),)),
        ),
    ),
    "TD2": Layout(
        "TD2",
        36,
        2,
        ("tlnnn" + "l" * 31, "a" * 9 + "d" + "nnn" + "d" * 7 + "s" + "d" * 7 + "a" * 7 + "d"),
        (
            ("document_number", _span(1, 0, 9), (1, 9)),
            ("date_of_birth", _span(1, 13, 19), (1, 19)),
            ("date_of_expiry", _span(1, 21, 27), (1, 27)),
        ),
        (_span(1, 0, 10) + _span(1, 13, 20) + _span(1, 21, 35), (1, 35)),
        (
            ("document_code", _span(0, 0, 2)),
            ("issuing_state", _span(0, 2, 5)),
            ("names", _span(0, 5, 36)),
            ("nationality", _span(1, 10, 13)),
            ("sex", ((1, 20),)),
        ),
    ),
    "TD1": Layout(
        "TD1",
        30,
        3,
        (
            "tlnnn" + "a" * 9 + "c" + "a" * 15,
            "d" * 7 + "s" + "d" * 7 + "nnn" + "a" * 11 + "d",
            "l" * 30,
        ),
        (
            ("document_number", _span(0, 5, 14), (0, 14)),
            ("date_of_birth", _span(1, 0, 6), (1, 6)),
            ("date_of_expiry", _span(1, 8, 14), (1, 14)),
        ),
        (_span(0, 5, 30) + _span(1, 0, 7) + _span(1, 8, 15) + _span(1, 18, 29), (1, 29)),
        (
            ("document_code", _span(0, 0, 2)),
            ("issuing_state", _span(0, 2, 5)),
            ("names", _span(2, 0, 30)),
            ("nationality", _span(1, 15, 18)),
            ("sex", ((1, 7),)),
        ),
    ),
    # Visas (ICAO 9303 Part 7): no composite, no personal-number check; optional data unchecked.
    "MRVA": _visa_layout("MRVA", 44),
    "MRVB": _visa_layout("MRVB", 36),
}
_VISA_OF = {"TD3": "MRVA", "TD2": "MRVB"}
# n = issuer / nationality: letters, but digits too (a Romanian ID prints `132`), at a prior
CLASS_CHARS = {"l": LETTERS, "d": DIGITS, "a": ALNUM, "s": SEX, "c": DIGITS + "<", "n": ALNUM}
CLASS_CHARS |= dict.fromkeys("ptv", LETTERS[:-1])
_CLASS_MASK = {k: np.array([c in v for c in ALPHABET]) for k, v in CLASS_CHARS.items()}
# Prior for alphanumeric fields (document number, optional/personal data): issuers print
# mostly digits there, and OCR-B's O/0, I/1, Q/0 are the classic silent confusions (two 0->O
# swaps at weights 7 and 3 leave a check digit unchanged), so a letter needs clearer evidence.
_ALNUM_PRIOR = np.array(
    [0.0 if c in DIGITS + "<" else (-3.0 if c in "OIQD" else -1.0) for c in ALPHABET]
)
# Country codes are letters on almost every document: a digit there needs clear evidence
# (0 for O is the classic confusion).
_CODE_PRIOR = np.array([-4.0 if c in DIGITS else 0.0 for c in ALPHABET])
# A document code's first letter other than its layout's needs clear evidence (a rare
# national variant is still read when printed clearly: 4 nats is a prior, not a rule)
_FIRST = {"p": "P", "t": "ACI", "v": "V"}
_CLASS_PRIOR = {"a": _ALNUM_PRIOR, "n": _CODE_PRIOR} | {
    k: np.array([0.0 if c in ok else -4.0 for c in ALPHABET]) for k, ok in _FIRST.items()
}
_WEIGHTS = (7, 3, 1)


def layout_for(
    lines: int, length: int, lps: list[NDArray[np.float32]] | None = None
) -> Layout | None:
    """The layout of a grid shape. 2x44 and 2x36 are a visa (MRV-A / MRV-B) when the first
    cell reads `V` best among the letters (given `lps`), else TD3 / TD2: a visa has none of the
    TD check positions, so it must never be decoded as one."""
    for lay in LAYOUTS.values():
        if lay.lines == lines and lay.length == length:
            visa = _VISA_OF.get(lay.doc_type)
            if visa is not None and lps is not None and _first_is_v(lps):
                return LAYOUTS[visa]
            return lay
    return None


def _first_is_v(lps: list[NDArray[np.float32]]) -> bool:
    first = lps[0][0]
    letters = [ALPHABET.index(c) for c in LETTERS[:-1]]
    return ALPHABET[letters[int(np.argmax(first[letters]))]] == "V"


def _value(c: str) -> int:
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    return ord(c) - 55


@dataclass(slots=True)
class Decoded:
    """The best reading of one rectified MRZ and how sure we are of it."""

    doc_type: str
    lines: list[str]
    valid: bool  # every check digit passes
    cost: float  # log-probability given up by the substitutions made to pass the checks
    margin: float  # extra cost of the next-best valid reading (inf when there is none)
    mean_logp: float  # mean best log-probability over all cells (how MRZ-like the cells look)
    field_confidence: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0  # min over all fields, times the margin factor
    checks_confidence: float = 0.0  # min over the checked fields, times the margin factor
    plain: list[str] = field(default_factory=list)  # the best reading of each cell, no repair


def masked(lp: NDArray[np.float32], cls: str) -> NDArray[np.float64]:
    """Log-probabilities renormalised over the characters legal at this position."""
    m = _CLASS_MASK[cls]
    v = np.where(m, lp.astype(np.float64), -np.inf)
    if cls in _CLASS_PRIOR:
        v = v + _CLASS_PRIOR[cls]
    mx = v.max()
    return np.asarray(v - (mx + math.log(np.exp(v - mx).sum())), dtype=np.float64)


def _date_ok(s: str, expiry: bool) -> bool:
    if not s.isdigit():
        return False
    mm, dd = int(s[2:4]), int(s[4:6])
    return 1 <= mm <= 12 and 1 <= dd <= 31


@lru_cache(maxsize=8)
def _layout_masks(lay: Layout) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Per position of a layout: the legal characters and the prior added to them (masked)."""
    mask = np.array([[_CLASS_MASK[c] for c in line] for line in lay.classes])
    prior = np.zeros(mask.shape)
    for k, line in enumerate(lay.classes):
        for i, c in enumerate(line):
            if c in _CLASS_PRIOR:
                prior[k, i] = _CLASS_PRIOR[c]
    return mask, prior


class _Cells:
    """Every cell's masked log-probabilities, best character and cheap alternatives (what
    masked() gives cell by cell, computed for the whole zone at once)."""

    def __init__(self, lay: Layout, lps: list[NDArray[np.float32]]) -> None:
        self.lay = lay
        mask, prior = _layout_masks(lay)
        v = np.where(mask, np.stack(lps).astype(np.float64), -np.inf) + prior
        mx = v.max(axis=-1, keepdims=True)
        v = v - (mx + np.log(np.exp(v - mx).sum(axis=-1, keepdims=True)))
        order = np.argsort(-v, axis=-1)[..., :4]
        gap = np.take_along_axis(v, order[..., :1], -1) - np.take_along_axis(v, order, -1)
        self.lp: dict[Pos, NDArray[np.float64]] = {}
        self.best: dict[Pos, str] = {}
        self.alts: dict[Pos, list[tuple[str, float]]] = {}
        for k in range(lay.lines):
            for i in range(lay.length):
                self.lp[(k, i)] = v[k, i]
                o, g = order[k, i].tolist(), gap[k, i].tolist()
                self.best[(k, i)] = ALPHABET[o[0]]
                pairs = zip(o[1:], g[1:], strict=True)
                self.alts[(k, i)] = [(ALPHABET[j], d) for j, d in pairs if d < ALT_COST]


def _field_options(
    cells: _Cells, data: tuple[Pos, ...], check: Pos, kind: str, keep: int = 4
) -> list[tuple[float, dict[Pos, str]]]:
    """Cheapest substitution sets (<= MAX_EDITS_PER_FIELD) that make this field's check pass."""
    positions = data + (check,)
    base = {p: cells.best[p] for p in positions}
    edits = [(p, c, cost) for p in positions for c, cost in cells.alts[p]]
    out: list[tuple[float, dict[Pos, str]]] = []

    def ok(assign: dict[Pos, str]) -> bool:
        s = "".join(assign[p] for p in data)
        cd = assign[check]
        if kind == "document_number" and cd == "<" and cells.lay.doc_type == "TD1":
            # ICAO 9303-5: a number longer than 9 continues in the optional data, followed by
            # its check digit, and position 15 holds '<'
            ext = "".join(cells.best[(0, i)] for i in range(15, 30)).split("<", 1)[0]
            return len(ext) >= 2 and ext[-1].isdigit() and check_digit(s + ext[:-1]) == ext[-1]
        if kind == "optional_data" and cd == "<":
            return s == "<" * len(s)
        if kind.startswith("date_") and not _date_ok(s, kind == "date_of_expiry"):
            return False
        return check_digit(s) == cd

    # exact pre-filter (numpy over all pairs): a combination can pass only if its weighted
    # sum mod 10 equals a digit check character; ok() still decides (dates, '<' check cells,
    # TD1 long numbers)
    weight = {p: _WEIGHTS[j % 3] for j, p in enumerate(data)}
    base_sum = sum(weight[p] * _value(base[p]) for p in data) % 10
    n_e = len(edits)
    delta = np.array(
        [(weight[p] * (_value(c) - _value(base[p]))) % 10 if p != check else 0
         for p, c, _k in edits], np.int64,
    )  # fmt: skip
    on_check = np.array([p == check for p, _c, _k in edits], bool)
    # the check character of a combination: -1 where it is not a digit ('<': ok() decides)
    own_cd = np.array([int(c) if c.isdigit() else -1 for _p, c, _k in edits], np.int64)
    base_cd = int(base[check]) if base[check].isdigit() else -1
    pos_id = np.array([positions.index(p) for p, _c, _k in edits], np.int64)
    combos: list[tuple[int, ...]] = [()] + [(e,) for e in range(n_e)]
    if n_e >= 2:
        i, j = np.triu_indices(n_e, 1)
        cd = np.where(on_check[i], own_cd[i], np.where(on_check[j], own_cd[j], base_cd))
        hit = (pos_id[i] != pos_id[j]) & (
            (cd < 0) | ((base_sum + delta[i] + delta[j]) % 10 == cd)
        )
        combos += list(zip(i[hit].tolist(), j[hit].tolist(), strict=True))
    for combo in combos:
        picked = [edits[e] for e in combo]
        if len(combo) == 1:
            cd1 = own_cd[combo[0]] if on_check[combo[0]] else base_cd
            if cd1 >= 0 and (base_sum + delta[combo[0]]) % 10 != cd1:
                continue
        elif not combo and base_cd >= 0 and base_sum != base_cd:
            continue
        assign = dict(base)
        for p, c, _k in picked:
            assign[p] = c
        if ok(assign):
            out.append((sum(k for _p, _c, k in picked), {p: c for p, c, _k in picked}))
    out.sort(key=lambda t: t[0])
    return out[:keep]


def decode(lay: Layout, lps: list[NDArray[np.float32]]) -> Decoded:
    """Best valid reading (or the plain best reading, valid=False, when no valid one is close)."""
    cells = _Cells(lay, lps)
    mean_lp = float(
        np.mean([float(np.max(lps[k][i])) for k in range(lay.lines) for i in range(lay.length)])
    )
    field_opts = [_field_options(cells, data, chk, name) for name, data, chk in lay.checks]
    plain = {p: c for p, c in cells.best.items()}
    solutions: list[tuple[float, dict[Pos, str]]] = []
    if all(field_opts):
        comp_data, comp_chk = lay.composite if lay.composite else ((), (0, 0))
        checked = {p for _n, d, c in lay.checks for p in d + (c,)}
        free = [p for p in comp_data if p not in checked]
        # cheapest single edit in the unchecked part of the composite, by its effect mod 10
        weights = {p: _WEIGHTS[j % 3] for j, p in enumerate(comp_data)}
        by_delta: dict[int, tuple[float, dict[Pos, str]]] = {0: (0.0, {})}
        for p in free:
            for c, k in cells.alts[p]:
                d = (weights[p] * (_value(c) - _value(cells.best[p]))) % 10
                if d not in by_delta or k < by_delta[d][0]:
                    by_delta[d] = (k, {p: c})
        cd_opts = [(cells.best[comp_chk], 0.0)] + cells.alts[comp_chk]
        for combo in itertools.product(*field_opts):
            cost = sum(k for k, _e in combo)
            assign = dict(plain)
            for _k, e in combo:
                assign.update(e)
            if lay.composite is None:
                solutions.append((cost, {p: c for _k, e in combo for p, c in e.items()}))
                continue
            total = sum(weights[p] * _value(assign[p]) for p in comp_data) % 10
            for cd, kcd in cd_opts:
                need = (int(cd) - total) % 10
                if need in by_delta:
                    kf, ef = by_delta[need]
                    edits = {p: c for _k, e in combo for p, c in e.items()}
                    edits.update(ef)
                    if kcd:
                        edits[comp_chk] = cd
                    solutions.append((cost + kf + kcd, edits))
    solutions.sort(key=lambda t: t[0])
    # distinct readings only
    uniq: list[tuple[float, dict[Pos, str]]] = []
    seen: set[tuple[tuple[Pos, str], ...]] = set()
    for cost, e in solutions:
        key = tuple(sorted(e.items()))
        if key not in seen:
            seen.add(key)
            uniq.append((cost, e))
    valid = bool(uniq)
    cost, edits = uniq[0] if uniq else (math.inf, {})
    margin = (uniq[1][0] - cost) if len(uniq) > 1 else math.inf
    chosen = dict(plain)
    chosen.update(edits)
    lines = ["".join(chosen[(k, i)] for i in range(lay.length)) for k in range(lay.lines)]
    fconf = _field_confidence(lay, cells, chosen, valid)
    conf = checks = 0.0
    if valid:
        factor = 1.0 - math.exp(-margin) if math.isfinite(margin) else 1.0
        conf = min(fconf.values()) * factor
        checks = min(fconf[name] for name, _d, _c in lay.checks) * factor
    plain_lines = ["".join(plain[(k, i)] for i in range(lay.length)) for k in range(lay.lines)]
    return Decoded(
        lay.doc_type, lines, valid, cost, margin, mean_lp, fconf, conf, checks, plain_lines
    )


CODE_FIELDS = ("issuing_state", "nationality")
UNLISTED_PRIOR = 0.01  # share of documents printing a code outside the ICAO/ISO list
_KNOWN = sorted(KNOWN_CODES)
_KNOWN_IDX = np.array([[ALPHABET.index(c) for c in code] for code in _KNOWN])


def code_posterior(cells: list[NDArray[np.float64]], code: str) -> float:
    """Probability that a three-letter code field is `code`, given each cell's (masked)
    log-probabilities and that issuers print a code from the ICAO/ISO list (all but
    UNLISTED_PRIOR of them): a cell read at 0.8 is sure when its alternatives form no code."""
    lp = np.stack(cells)  # (3, 37)
    known = np.exp(lp[np.arange(3), _KNOWN_IDX].sum(axis=1))  # each listed code's likelihood
    s_known = float(known.sum())
    per_known = (1.0 - UNLISTED_PRIOR) / len(_KNOWN)
    per_other = UNLISTED_PRIOR / (len(ALPHABET) ** 3 - len(_KNOWN))
    own = math.exp(sum(float(v[ALPHABET.index(c)]) for v, c in zip(cells, code, strict=True)))
    prior = per_known if code in KNOWN_CODES else per_other
    evidence = per_known * s_known + per_other * max(0.0, 1.0 - s_known)
    return min(1.0, own * prior / evidence) if evidence > 0 else 0.0


def _field_confidence(
    lay: Layout, cells: _Cells, chosen: dict[Pos, str], valid: bool
) -> dict[str, float]:
    """Probability each field is read right: unchecked ones from their own scores; checked ones
    also from the check digits (a wrong reading passes a check 1 time in 10)."""
    out: dict[str, float] = {}
    for name, positions in lay.unchecked:
        if name in CODE_FIELDS:
            code = "".join(chosen[p] for p in positions)
            out[name] = code_posterior([cells.lp[p] for p in positions], code)
            continue
        lp = sum(float(cells.lp[p][ALPHABET.index(chosen[p])]) for p in positions)
        out[name] = math.exp(lp)
    for name, data, chk in lay.checks:
        lp = sum(float(cells.lp[p][ALPHABET.index(chosen[p])]) for p in data + (chk,))
        p_wrong = 1.0 - math.exp(lp)
        out[name] = (1.0 - 0.1 * p_wrong) if valid else math.exp(lp)
    return out
