"""`imdms chip read`: read an ePassport chip over PC/SC and print one JSON object.

Keys come from the printed MRZ (`--mrz`, the lines as read from the data page) or typed fields
(`--doc --dob --doe`). The JSON holds personal data (DG1 MRZ): print, never log.
`--out-face` writes the face photo as PNG, mode 0600.

Exit codes: 0 read and no check failed; 1 the chip could not be read or a check failed (see
"error"/"hint", passive_authentication, chip_authentication, active_authentication; a
possible clone also prints "alert"); 2 configuration or reader error; 3 no passport before the
timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BAD_READ, EXIT_ERROR, EXIT_TIMEOUT = 0, 1, 2, 3


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("chip", parents=[common], help="read an ePassport chip over PC/SC")
    chip_sub = p.add_subparsers(dest="chip_command", metavar="ACTION", required=True)
    r = chip_sub.add_parser(
        "read",
        parents=[common],
        help="read DG1, DG2 and the SOD, run passive authentication, print JSON",
        description="Read an ePassport chip and print one JSON object. Exit 0 read and no "
        "check failed, 1 unreadable or a failed check, 2 configuration/reader error, "
        "3 no passport before the timeout.",
    )
    r.add_argument(
        "--reader",
        metavar="NAME",
        help="PC/SC reader name or part of it (default: [chip] or [reader] config)",
    )
    keys = r.add_argument_group("chip keys (one of)")
    keys.add_argument(
        "--mrz", metavar="LINE", nargs="+", help="the MRZ lines of the data page (2 or 3 arguments)"
    )
    keys.add_argument("--doc", metavar="N", help="document number")
    keys.add_argument("--dob", metavar="YYMMDD", help="date of birth")
    keys.add_argument("--doe", metavar="YYMMDD", help="date of expiry")
    keys.add_argument(
        "--can", metavar="NNNNNN", help="card access number printed on the card (PACE only)"
    )
    r.add_argument(
        "--csca",
        metavar="PATH",
        type=Path,
        help="CSCA store: folder of PEM/DER certificates or an ICAO master list",
    )
    r.add_argument(
        "--ml-anchor",
        metavar="PATH",
        type=Path,
        action="append",
        default=[],
        help="trust anchor (certificate file or folder) for master lists in the CSCA store",
    )
    r.add_argument(
        "--crl",
        metavar="DIR",
        type=Path,
        action="append",
        default=[],
        help="folder (or file) of CRLs from the CSCAs; CRLs inside --csca are read too",
    )
    r.add_argument("--out-face", metavar="FILE", type=Path, help="write the face photo (PNG)")
    r.add_argument(
        "--max-le",
        metavar="N",
        type=int,
        help="largest Le to try (65536 = extended length; 223 for fussy chips)",
    )
    r.add_argument(
        "--timeout",
        metavar="S",
        type=float,
        default=15.0,
        help="seconds to wait for a passport (default %(default)s)",
    )
    r.set_defaults(func=run)


def _fail(message: str, hint: str = "", code: int = EXIT_ERROR) -> int:
    print(f"imdms chip read: {message}", file=sys.stderr)
    if hint:
        print(f"  what to do: {hint}", file=sys.stderr)
    return code


def _chip_config(args: argparse.Namespace) -> Any:
    from config.loader import load_config
    from config.models import ChipConfig

    config = load_config(args.config, required=False)
    base = config.chip or (config.reader if config.reader.type == "chip" else None)
    chip = base if base is not None else ChipConfig(type="chip")
    update: dict[str, Any] = {}
    if args.reader is not None:
        update["reader"] = args.reader
    if args.csca is not None:
        update["csca_path"] = args.csca
    if args.max_le is not None:
        update["max_le"] = args.max_le
    return ChipConfig.model_validate({**chip.model_dump(), **update})


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def run(args: argparse.Namespace) -> int:
    from drivers.chip.bac import make_keys
    from drivers.chip.reader import ChipReader
    from imdms.errors import ImdmsError

    typed = (args.doc, args.dob, args.doe)
    if sum(bool(x) for x in (args.mrz, any(typed), args.can)) > 1:
        return _fail("give one of --mrz, --doc/--dob/--doe or --can")
    if not args.mrz and not args.can and not all(typed):
        return _fail(
            "the chip keys are missing",
            "give --mrz with the data page's MRZ lines, --doc, --dob and --doe, or --can",
        )
    if args.csca is not None and not args.csca.exists():
        return _fail(
            "the CSCA store does not exist",
            "give a folder of certificates or a master list file to --csca",
        )
    try:
        config = _chip_config(args)
        for path in [*args.ml_anchor, *args.crl]:
            if not path.exists():
                return _fail(f"{path} does not exist", "give an existing file or folder")
        reader = ChipReader(config, name="chip", anchors=args.ml_anchor, crl_paths=args.crl)
        try:
            if args.mrz:
                lines = [part for arg in args.mrz for part in arg.splitlines() if part.strip()]
                reader.set_mrz(lines)
            elif args.can:
                reader.set_can(args.can)
            else:
                reader.set_keys(make_keys(args.doc, args.dob, args.doe))
            doc = reader.read(timeout=args.timeout)
        finally:
            reader.close()
    except ImdmsError as err:
        return _fail(err.message, err.hint)
    if doc is None:
        return _fail(
            "no passport on the chip reader", "place the passport on the reader", EXIT_TIMEOUT
        )
    if doc.chip is None:
        out = {
            "ok": False,
            "error": doc.error,
            "kind": doc.extra.get("kind"),
            "hint": doc.extra.get("hint"),
            "sw": doc.extra.get("sw"),
            "resumable": doc.extra.get("resumable", False),
        }
        print(json.dumps(out, indent=2))
        return _fail(
            doc.error or "the chip could not be read", str(doc.extra.get("hint", "")), EXIT_BAD_READ
        )
    chip = doc.chip
    if args.out_face is not None and chip.face_image:
        _write_private(args.out_face, chip.face_image)
    pa = chip.passive_authentication
    result = {
        "ok": True,
        "protocol": chip.protocol,
        "data_groups": list(chip.data_groups),
        "dg1_mrz": list(chip.dg1_lines),
        "dg1_valid": doc.mrz.valid if doc.mrz is not None else None,
        "dg1_matches_print": chip.dg1_matches_print,
        "passive_authentication": pa,
        "face_image_bytes": len(chip.face_image or b""),
        "face_image_format": "png" if chip.face_image else None,
        "face_file": str(args.out_face) if args.out_face and chip.face_image else None,
        "apdu_count": doc.extra.get("apdu_count"),
        "seconds": doc.extra.get("seconds"),
        "le": doc.extra.get("le"),
        "max_le": doc.extra.get("max_le"),
        "file_access": doc.extra.get("file_access"),
        "chip_authentication": doc.extra.get("chip_authentication", {}),
        "active_authentication": doc.extra.get("active_authentication", {}),
        "possible_clone": doc.extra.get("possible_clone", False),
        "alert": doc.extra.get("alert"),
        "trust_store_problems": doc.extra.get("trust_store_problems", []),
    }
    print(json.dumps(result, indent=2))
    if result["alert"]:
        print(f"imdms chip read: {result['alert']}", file=sys.stderr)
    steps = [
        *pa.values(),
        *result["chip_authentication"].values(),
        *result["active_authentication"].values(),
    ]
    failed = any(v.startswith("failed") for v in steps) or chip.dg1_matches_print is False
    return EXIT_BAD_READ if failed else EXIT_OK
