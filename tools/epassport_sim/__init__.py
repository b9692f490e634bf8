"""An ePassport simulator of our own (MIT) for tests and benchmarks: BAC, PACE, secure
messaging, short file ids, extended length, a test PKI, and fault injection. It speaks
vsmartcard's vpcd protocol so tests go through the real pyscard -> pcscd -> vpcd path.

Test tool only: never part of a booth install.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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

DG_TAG = {1: 0x61, 2: 0x75, 14: 0x6E, 15: 0x6F}
_FACE_CACHE: dict[int, tuple[bytes, int, int]] = {}


def build_files(
    mrz_lines: Sequence[str],
    pki: TestPki,
    *,
    face_bytes: int = 17_000,
    pace: str | None = "AES",
    parameter_id: int = 13,
    com: bool = True,
    extra: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """COM (unless `com` is False: optional in newer LDS), DG1, DG2 (a synthetic JPEG of about
    `face_bytes`), `extra` data groups (e.g. DG14, DG15), SOD over all of them and, when `pace`
    is "AES" or "3DES", EF.CardAccess."""
    if face_bytes not in _FACE_CACHE:
        _FACE_CACHE[face_bytes] = face_jpeg(face_bytes)
    image, w, h = _FACE_CACHE[face_bytes]
    files = {"DG1": dg1(mrz_lines), "DG2": dg2(image, w, h), **(extra or {})}
    numbers = {int(name[2:]): data for name, data in files.items()}
    if com:
        files["COM"] = ef_com([DG_TAG[n] for n in sorted(numbers)])
    files["SOD"] = build_sod(numbers, pki)
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
    com: bool = True,
    extra: Mapping[str, bytes] | None = None,
    can: str | None = None,
) -> EPassportCard:
    """A card personalised with `mrz_lines` (its keys come from `chip_mrz_lines` if given, to
    simulate keys that do not match the page)."""
    files = build_files(
        mrz_lines,
        pki,
        face_bytes=face_bytes,
        pace=pace,
        parameter_id=parameter_id,
        com=com,
        extra=extra,
    )
    keys = keys_from_mrz_lines(chip_mrz_lines or mrz_lines)
    return EPassportCard(
        files, keys, max_le=max_le, extended=extended, faults=faults or CardFaults(), can=can
    )
