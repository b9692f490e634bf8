"""An ePassport simulator of our own (MIT) for tests and benchmarks: BAC, PACE, secure
messaging, short file ids, extended length, a test PKI, and fault injection. It speaks
vsmartcard's vpcd protocol so tests go through the real pyscard -> pcscd -> vpcd path.

Test tool only: never part of a booth install.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.chip.bac import keys_from_mrz_lines
from tools.epassport_sim.card import CardFaults, CardLost, EPassportCard
from tools.epassport_sim.lds_build import card_access, dg1, dg2, ef_com, face_jpeg
from tools.epassport_sim.pki import TestPki, build_sod, make_test_pki
from tools.epassport_sim.vpcd import ATR, VPCD_PORT, VpcdClient

__all__ = [
    "ATR",
    "VPCD_PORT",
    "CardFaults",
    "CardLost",
    "EPassportCard",
    "TestPki",
    "VpcdClient",
    "build_files",
    "make_card",
    "make_test_pki",
]

_FACE_CACHE: dict[int, tuple[bytes, int, int]] = {}


def build_files(
    mrz_lines: Sequence[str],
    pki: TestPki,
    *,
    face_bytes: int = 17_000,
    pace: str | None = "AES",
    parameter_id: int = 13,
) -> dict[str, bytes]:
    """COM, DG1, DG2 (a synthetic JPEG of about `face_bytes`), SOD and, when `pace` is
    "AES" or "3DES", EF.CardAccess."""
    if face_bytes not in _FACE_CACHE:
        _FACE_CACHE[face_bytes] = face_jpeg(face_bytes)
    image, w, h = _FACE_CACHE[face_bytes]
    files = {"COM": ef_com(), "DG1": dg1(mrz_lines), "DG2": dg2(image, w, h)}
    files["SOD"] = build_sod({1: files["DG1"], 2: files["DG2"]}, pki)
    if pace:
        files["CardAccess"] = card_access(pace, parameter_id)
    return files


def make_card(
    mrz_lines: Sequence[str],
    pki: TestPki,
    *,
    pace: str | None = "AES",
    parameter_id: int = 13,
    max_le: int = 65536,
    extended: bool = True,
    faults: CardFaults | None = None,
    face_bytes: int = 17_000,
    chip_mrz_lines: Sequence[str] | None = None,
) -> EPassportCard:
    """A card personalised with `mrz_lines` (its keys come from `chip_mrz_lines` if given, to
    simulate keys that do not match the page)."""
    files = build_files(mrz_lines, pki, face_bytes=face_bytes, pace=pace, parameter_id=parameter_id)
    keys = keys_from_mrz_lines(chip_mrz_lines or mrz_lines)
    return EPassportCard(
        files, keys, max_le=max_le, extended=extended, faults=faults or CardFaults()
    )
