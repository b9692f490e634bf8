"""What a reading may be trusted for: failed checks, unsure characters, unchecked-field rules.

No check digit covers names, nationality, issuer, sex or the document code, so a reading is only
accepted when each of those is sure by itself (issue 15, cause 5):
- nationality / issuing state: a code from the ICAO/ISO list; a code outside it (some real
  documents print one) only when every one of its cells is very sure and no listed code is a
  cheap alternative (`CDU` read for `COU` is not sure);
- the name field's structure: letters, single '<' between parts, one '<<' between primary and
  secondary identifiers, and only fillers after the last run of fillers;
- per character: a cell of an unchecked field under UNSURE_CELL is an `unsure` position, and
  its field blocks acceptance (a stamp over one letter of a name must not pass as read);
- checks are blind to some swaps: `00` read `OO` at weights 7 and 3 changes the sum by
  240 = 0 mod 10, three at 7, 7, 1 by 360, and `6` read `G` by 10. Any set of up to four
  look-alike cells (O/Q/D-0, I-1, B-8, S-5, Z-2, G-6) in the checked alphanumeric fields,
  each with its twin a real alternative (a letter's digit twin >= 0.5 %, a digit's letter twin
  >= 20 %: digits are what issuers print there), whose joint swap no check sees blocks
  acceptance. So does a single cell of those fields whose alternative differs from it by a
  multiple of 10 (`<`/0/A/K/U, 4/E/O/Y ...: a swap no weight sees) and is a real alternative
  (>= TWIN_ALTERNATIVE when a letter is read and the alternative is not, else
  BLIND_ALTERNATIVE): a stamp that turns one filler of a TD2's optional data into `K`.

Positions are 1-based (line, column), as in ICAO 9303 and ocr.mrz. No personal data here.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ocr.classify import ALPHABET
from ocr.country_codes import KNOWN_CODES, is_known_code
from ocr.decode import Layout, code_posterior, masked
from ocr.mrz import DIGIT_TO_LETTER, parse_mrz

Pos = tuple[int, int]

UNSURE_CELL = 0.9  # a cell of an unchecked field read with less probability is unsure
SURE_NONSTANDARD_CELL = 0.98  # every cell of an unlisted code must be at least this sure
NEAR_CODE_NATS = 4.0  # a listed code this close to an unlisted reading makes it unsure
CODE_FIELDS = ("issuing_state", "nationality")
BLIND_SET_MAX = 4  # look-alike cells swapped together that are searched for
BLIND_SET_CELLS = 10  # at most this many look-alike cells of a reading are combined
TWIN_ALTERNATIVE = 0.005  # a letter's digit twin this probable is a real alternative
DIGIT_TWIN_ALTERNATIVE = 0.2  # a digit's letter twin: only a near tie
BLIND_ALTERNATIVE = 0.05  # a same-value-mod-10 alternative of a digit/filler read, or letter-letter
_TWINS = {"O": "0", "Q": "0", "D": "0", "I": "1", "B": "8", "S": "5", "Z": "2", "G": "6"}
_TWINS |= {d: c for c, d in _TWINS.items() if c in "OIBSZG"}
_WEIGHTS = (7, 3, 1)
# primary identifier, optional secondary after one '<<', then fillers only
NAME_SHAPE = re.compile(r"[A-Z]+(?:<[A-Z]+)*(?:<<[A-Z]+(?:<[A-Z]+)*)?<*")


@dataclass(frozen=True, slots=True)
class Judgement:
    """Why a reading is or is not safe to show as read."""

    failed_checks: tuple[str, ...]  # check digits that fail on the lines as read
    unsure: tuple[Pos, ...]  # 1-based positions the officer should verify by eye
    blocking: tuple[str, ...]  # unchecked fields that stop acceptance (code list, structure)


def failed_checks(lines: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Names of the check digits that fail on these lines (parsed as printed, no correction)."""
    try:
        rec = parse_mrz(list(lines), correct=False)
    except Exception:  # noqa: BLE001 - not MRZ-shaped: every check is unverifiable
        return ("shape",)
    return tuple(name for name, ok in rec.checks.items() if not ok)


def _cell_probs(lay: Layout, lps: list[NDArray[np.float32]]) -> dict[Pos, NDArray[np.float64]]:
    return {
        (k, i): masked(lps[k][i], lay.classes[k][i])
        for k in range(lay.lines)
        for i in range(lay.length)
    }


def _listed_and_sure(
    probs: dict[Pos, NDArray[np.float64]], lines: list[str], positions: tuple[Pos, ...]
) -> bool:
    """A listed code whose posterior under the code list (code_posterior) is sure."""
    code = "".join(lines[k][i] for k, i in positions)
    if not is_known_code(code):
        return False
    return code_posterior([probs[p] for p in positions], code) >= UNSURE_CELL


def _code_sure(cells: list[NDArray[np.float64]], code: str) -> bool:
    """An unlisted code is sure when each cell is very sure and no listed code is close (nor
    its letter twin: `LS0` is `LSO` misread, however sure the classifier is of the 0)."""
    if is_known_code("".join(DIGIT_TO_LETTER.get(c, c) for c in code)):
        return False
    idx = [ALPHABET.index(c) for c in code]
    if any(math.exp(float(v[j])) < SURE_NONSTANDARD_CELL for v, j in zip(cells, idx, strict=True)):
        return False
    own = sum(float(v[j]) for v, j in zip(cells, idx, strict=True))
    for known in KNOWN_CODES:
        cost = own - sum(float(v[ALPHABET.index(c)]) for v, c in zip(cells, known, strict=True))
        if cost < NEAR_CODE_NATS:
            return False
    return True


def judge(lay: Layout, lps: list[NDArray[np.float32]], lines: list[str]) -> Judgement:
    """Failed checks, unsure positions and blocking fields of one reading of `lay`."""
    probs = _cell_probs(lay, lps)
    unsure: set[Pos] = set()
    blocking: list[str] = []
    fields = dict(lay.unchecked)
    for name, positions in lay.unchecked:
        if name in CODE_FIELDS and _listed_and_sure(probs, lines, positions):
            continue  # its alternatives form no listed code: sure as a whole
        for k, i in positions:
            p = math.exp(float(probs[(k, i)][ALPHABET.index(lines[k][i])]))
            if p < UNSURE_CELL:
                unsure.add((k + 1, i + 1))
                if name not in blocking:
                    blocking.append(name)
    for name in CODE_FIELDS:
        positions = fields[name]
        code = "".join(lines[k][i] for k, i in positions)
        if not is_known_code(code) and not _code_sure([probs[p] for p in positions], code):
            if name not in blocking:
                blocking.append(name)
            unsure.update((k + 1, i + 1) for k, i in positions)
    name_pos = fields["names"]
    name = "".join(lines[k][i] for k, i in name_pos)
    if not NAME_SHAPE.fullmatch(name):
        if "names" not in blocking:
            blocking.append("names")
        unsure.update((k + 1, i + 1) for k, i in name_pos[_first_break(name) :])
    for field_name, cells in _blind_sets(lay, lines, probs) + _blind_cells(lay, lines, probs):
        unsure.update(cells)
        if field_name not in blocking:
            blocking.append(field_name)
    failed = failed_checks(lines)
    if failed:
        # which characters to look at: every cell that is not sure
        for (k, i), v in probs.items():
            if math.exp(float(v[ALPHABET.index(lines[k][i])])) < UNSURE_CELL:
                unsure.add((k + 1, i + 1))
    return Judgement(failed, tuple(sorted(unsure)), tuple(blocking))


def disagreements(
    lay: Layout, lps: list[NDArray[np.float32]], lines: list[str], verdict: Judgement
) -> Judgement:
    """`verdict` plus the unchecked-field cells another view of the same cells reads otherwise
    (those positions become unsure and their fields block acceptance)."""
    unsure, blocking = set(verdict.unsure), list(verdict.blocking)
    for name, positions in lay.unchecked:
        for k, i in positions:
            v = masked(lps[k][i], lay.classes[k][i])
            if ALPHABET[int(np.argmax(v))] != lines[k][i]:
                unsure.add((k + 1, i + 1))
                if name not in blocking:
                    blocking.append(name)
    return Judgement(verdict.failed_checks, tuple(sorted(unsure)), tuple(blocking))


def _value(c: str) -> int:
    return 0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55


def _blind_sets(
    lay: Layout, lines: list[str], probs: dict[Pos, NDArray[np.float64]]
) -> list[tuple[str, list[Pos]]]:
    """Sets of 1..BLIND_SET_MAX look-alike cells of checked alphanumeric fields whose joint
    swap to their twins no check digit sees (every check covering them keeps its sum mod 10),
    each twin a real alternative (>= TWIN_ALTERNATIVE for a letter read,
    DIGIT_TWIN_ALTERNATIVE for a digit): (field, 1-based positions). Three 0
    read O at weights 7, 7, 1 change a sum by 360 = 0 mod 10 just as two at 7, 3 do; G for 6
    (16 - 6 = 10) changes no sum at all."""
    covering: list[tuple[str, dict[Pos, int]]] = [
        (name, {p: _WEIGHTS[j % 3] for j, p in enumerate(data)}) for name, data, _c in lay.checks
    ]
    if lay.composite is not None:
        covering.append(("composite", {p: _WEIGHTS[j % 3] for j, p in enumerate(lay.composite[0])}))
    field_of = {p: name for name, w in reversed(covering) for p in w}
    cells: list[tuple[Pos, list[int]]] = []  # position, its swap's effect on each check
    for k, line in enumerate(lines):
        for i, c in enumerate(line):
            if lay.classes[k][i] != "a" or c not in _TWINS or (k, i) not in field_of:
                continue
            v = probs[(k, i)]
            twin = _TWINS[c]
            # a letter read where issuers print digits is the silent direction; a digit read
            # (what the alphanumeric prior favours) only when its letter twin nearly ties
            floor = TWIN_ALTERNATIVE if c.isalpha() else DIGIT_TWIN_ALTERNATIVE
            if math.exp(float(v[ALPHABET.index(twin)])) < floor:
                continue  # the twin is no real alternative here: nothing to swap
            d = _value(twin) - _value(c)
            cells.append(((k, i), [w.get((k, i), 0) * d % 10 for _n, w in covering]))
    out: list[tuple[str, list[Pos]]] = []
    for size in range(1, min(BLIND_SET_MAX, len(cells)) + 1):
        for combo in itertools.combinations(cells[:BLIND_SET_CELLS], size):
            if any(sum(d[m] for _p, d in combo) % 10 for m in range(len(covering))):
                continue
            out.append((field_of[combo[0][0]], [(k + 1, i + 1) for (k, i), _d in combo]))
    return out


def _blind_cells(
    lay: Layout, lines: list[str], probs: dict[Pos, NDArray[np.float64]]
) -> list[tuple[str, list[Pos]]]:
    """Single cells of checked alphanumeric fields with a real alternative whose value differs
    by a multiple of 10: every ICAO weight (7, 3, 1) is prime to 10, so no check sees that swap."""
    field_of = {p: name for name, data, _c in lay.checks for p in data}
    if lay.composite is not None:
        field_of = {p: "composite" for p in lay.composite[0]} | field_of
    out: list[tuple[str, list[Pos]]] = []
    for (k, i), name in field_of.items():
        if lay.classes[k][i] != "a":
            continue
        c, v = lines[k][i], probs[(k, i)]
        for alt in ALPHABET:
            if alt == c or (_value(alt) - _value(c)) % 10:
                continue
            floor = TWIN_ALTERNATIVE if c.isalpha() and not alt.isalpha() else BLIND_ALTERNATIVE
            if math.exp(float(v[ALPHABET.index(alt)])) >= floor:
                out.append((name, [(k + 1, i + 1)]))
                break
    return out


def _first_break(name: str) -> int:
    """Index of the first character where the name field leaves the allowed structure."""
    for n in range(len(name), 0, -1):
        if NAME_SHAPE.fullmatch(name[:n] + "<" * (len(name) - n)):
            return n
    return 0
