"""`imdms mrz`: parse MRZ lines from stdin and print JSON; make MRZs from fields; print specimens.

`imdms mrz parse` exit codes: 0 valid, 1 parsed but a check failed, 2 not an MRZ (one line on
stderr saying why; never a traceback, whatever bytes arrive on stdin).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

EXIT_VALID, EXIT_INVALID, EXIT_NOT_MRZ = 0, 1, 2
MAX_INPUT_BYTES = 64 * 1024  # an MRZ is < 100 bytes; anything this large is not one


def _today(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError("use YYYY-MM-DD") from err


def _yymmdd(*, partial: bool) -> Any:
    """An argparse type for MRZ dates: YYMMDD that is a real date; with `partial`, unknown
    parts written << (a birth date with unknown day: 8206<<)."""

    def parse(value: str) -> str:
        text = value.strip().upper()
        pairs = [text[i:i + 2] for i in range(0, 6, 2)] if len(text) == 6 else []
        if not pairs or not all(p.isdigit() or (partial and p == "<<") for p in pairs):
            unknown = "; write an unknown part as <<, e.g. 8206<<" if partial else ""
            raise argparse.ArgumentTypeError(f"use YYMMDD (6 digits){unknown}")
        yy, mm, dd = (int(p) if p.isdigit() else None for p in pairs)
        try:
            date(2000 + (yy or 0), mm or 1, dd or 1)  # 2000 is a leap year: 29 Feb passes
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"{value} is not a date (YYMMDD)") from err
        return text

    return parse


def _fail(message: str) -> int:
    print(f"imdms mrz parse: {message}", file=sys.stderr)
    return EXIT_NOT_MRZ


def run_parse(args: argparse.Namespace) -> int:
    from imdms.errors import MrzError
    from ocr.mrz import parse_mrz

    if sys.stdin.isatty():
        print("paste the MRZ lines, then press Ctrl-D", file=sys.stderr)
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        return _fail(f"not an MRZ: more than {MAX_INPUT_BYTES} bytes on stdin")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _fail("not an MRZ: stdin is not UTF-8 text")
    if not text.strip():
        return _fail("not an MRZ: stdin is empty (pipe the MRZ lines in)")
    try:
        record = parse_mrz(text, today=args.today, correct=not args.no_correct)
    except MrzError as err:
        return _fail(err.message)
    except Exception as err:  # a parser bug must still give one line and exit 2, no traceback
        return _fail(f"internal error while parsing ({type(err).__name__}); please report it")
    print(record.to_json())
    return EXIT_VALID if record.valid else EXIT_INVALID


def run_make(args: argparse.Namespace) -> int:
    from ocr.mrz import make_mrz

    default_code = {"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(args.type, "I")
    lines = make_mrz(
        args.type,
        document_code=args.code or default_code,
        issuing_state=args.issuer,
        document_number=args.number,
        surname=args.surname,
        given_names=args.given_names,
        nationality=args.nationality or args.issuer,
        date_of_birth=args.birth,
        sex=args.sex,
        date_of_expiry=args.expiry,
        optional_data=args.optional,
        optional_data_2=args.optional_2,
    )
    print("\n".join(lines))
    return 0


def run_specimen(args: argparse.Namespace) -> int:
    from ocr.specimens import specimens

    found = specimens(args.today)
    if args.name is None:
        print("\n".join(sorted(found)))
        return 0
    if args.name not in found:
        print(f"imdms mrz specimen: no specimen {args.name!r}; "
              f"run `imdms mrz specimen` for the list", file=sys.stderr)  # fmt: skip
        return 2
    print("\n".join(found[args.name]))
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("mrz", parents=[common], help="parse, make or show MRZ lines",
                       description="Machine-readable zones (ICAO 9303).")  # fmt: skip
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    msub = p.add_subparsers(dest="mrz_command", metavar="ACTION")

    parse = msub.add_parser(
        "parse", parents=[common], help="read MRZ lines on stdin, print one JSON object",
        description="Read MRZ lines on stdin and print one JSON object. "
        "Exit 0 valid, 1 parsed but a check failed, 2 not an MRZ.",
    )  # fmt: skip
    parse.add_argument(
        "--no-correct", action="store_true",
        help="do not fix OCR slips (O/0, I/1...) even when a check digit proves them",
    )  # fmt: skip
    parse.add_argument("--today", type=_today, default=None, metavar="YYYY-MM-DD",
                       help="date for century inference and expiry (default: today)")  # fmt: skip
    parse.set_defaults(func=run_parse)

    make = msub.add_parser(
        "make", parents=[common], help="build MRZ lines from fields (for tests and technicians)",
        description="Build a valid MRZ, computing every check digit. Dates are YYMMDD.",
    )  # fmt: skip
    make.add_argument("--type", choices=["TD1", "TD2", "TD3", "MRVA", "MRVB"], default="TD3")
    make.add_argument("--code", default="", help="document code (default P, I or V by type)")
    make.add_argument("--issuer", required=True, help="issuing state, e.g. LSO")
    make.add_argument("--number", required=True, help="document number")
    make.add_argument("--surname", required=True)
    make.add_argument("--given-names", default="")
    make.add_argument("--nationality", default="", help="default: the issuer")
    make.add_argument("--birth", required=True, metavar="YYMMDD", type=_yymmdd(partial=True),
                      help="date of birth; unknown parts as <<")
    make.add_argument("--sex", default="X", choices=["M", "F", "X"])
    make.add_argument("--expiry", required=True, metavar="YYMMDD", type=_yymmdd(partial=False))
    make.add_argument("--optional", default="", help="optional data (personal number)")
    make.add_argument("--optional-2", default="", help="TD1 line 2 optional data")
    make.set_defaults(func=run_make)

    spec = msub.add_parser("specimen", parents=[common], help="print a specimen MRZ (fictitious)")
    spec.add_argument("name", nargs="?", help="specimen name; omit to list them")
    spec.add_argument("--today", type=_today, default=None, metavar="YYYY-MM-DD")
    spec.set_defaults(func=run_specimen)
