"""`imdms read`: read one document from the configured reader and print it as JSON.

The technician's test over SSH. `--port/--baud/--framing` turn the reader into a serial MRZ
reader with those settings (on top of `[reader]` when it already is one); `--list-ports` lists
serial ports. The JSON on stdout holds personal data: print, never log.

Exit codes: 0 read and every check digit passed; 1 a document arrived but could not be read or
failed a check; 2 configuration or device error; 3 no document before the timeout.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_BAD_READ, EXIT_ERROR, EXIT_TIMEOUT = 0, 1, 2, 3
FRAMINGS = ("lines", "stx-etx", "3m-rte", "desko-cute")


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(value: str) -> int | float:
        try:
            number = kind(value)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from err
        if number <= 0:
            raise argparse.ArgumentTypeError("must be greater than 0")
        return number

    return parse


def _baud(value: str) -> int:
    from config.models import BAUD_RATES

    try:
        rate = int(value)
    except ValueError:
        rate = 0
    if rate not in BAUD_RATES:
        raise argparse.ArgumentTypeError(
            "not a standard baud rate; use one of " + ", ".join(str(b) for b in BAUD_RATES))
    return rate


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "read",
        parents=[common],
        help="read one document from the configured reader and print it as JSON",
        description="Read one document and print it as JSON. Exit 0 valid, 1 unreadable or a "
        "failed check, 2 configuration/device error, 3 nothing before the timeout.",
    )
    p.add_argument("--port", metavar="PATH", help="serial device or pyserial URL (overrides "
                   "[reader]; makes it a serial_mrz reader)")
    p.add_argument("--baud", metavar="N", type=_baud, help="baud rate, e.g. 9600 or 115200")
    p.add_argument("--framing", choices=FRAMINGS, type=str.lower,
                   help="how the device frames an MRZ (any case)")
    p.add_argument("--timeout", metavar="S", type=_positive(float), default=30.0,
                   help="seconds to wait for a document (default %(default)s)")
    p.add_argument("--specimen", metavar="NAME",
                   help="simulator only: which specimen to serve (default: the first)")
    p.add_argument("--list-ports", action="store_true", help="list serial ports and exit")
    p.set_defaults(func=run)


def _fail(message: str, hint: str = "", code: int = EXIT_ERROR) -> int:
    print(f"imdms read: {message}", file=sys.stderr)
    if hint:
        print(f"  what to do: {hint}", file=sys.stderr)
    return code


def list_ports() -> int:
    from serial.tools import list_ports as lp

    ports = sorted(lp.comports(include_links=True), key=lambda p: p.device)
    if not ports:
        return _fail("no serial ports found",
                     "plug the reader in: USB readers appear as /dev/ttyACM* or /dev/ttyUSB*, "
                     "RS-232 adapters as /dev/ttyS* or /dev/ttyUSB*", EXIT_BAD_READ)
    for port in ports:
        print(f"{port.device}\t{port.description}\t{port.hwid}")
    return EXIT_OK


def reader_config(args: argparse.Namespace) -> Any:
    """The [reader] section to use: the config's, with the command-line overrides applied."""
    from pydantic import ValidationError

    from config.loader import load_config
    from config.models import SerialMrzConfig
    from imdms.errors import ConfigError

    overrides = {k: v for k, v in (("port", args.port), ("baud", args.baud),
                                   ("framing", args.framing)) if v is not None}
    config = load_config(args.config, required=not overrides)
    if not overrides:
        return config.reader
    base = config.reader.model_dump() if isinstance(config.reader, SerialMrzConfig) else {}
    try:
        return SerialMrzConfig.model_validate({**base, "type": "serial_mrz", **overrides})
    except ValidationError as err:
        from config.problems import describe

        raise ConfigError("invalid reader settings: " + "; ".join(describe(err, overrides)),
                          "check --port, --baud and --framing") from None


def _describe(cfg: Any) -> str:
    if cfg.type == "serial_mrz":
        return f"serial reader on {cfg.port} ({cfg.framing} framing, {cfg.baud} baud)"
    if cfg.type == "simulator":
        via = "in process" if cfg.pty_framing == "none" else f"through a pty, {cfg.pty_framing}"
        return f"simulator ({via})"
    return f"{cfg.type} reader"


STATE_SLICE_S = 0.2  # how often the wait looks at the reader's state (to say lost / back)


def _wait(reader: Any, timeout: float) -> tuple[Any, Any, bool]:
    """Read one document within `timeout` s, saying once when the reader goes away or comes
    back. Returns (read or None, last state, whether the reader was ever connected)."""
    import time

    from drivers.base import ReaderStatus

    gone = (ReaderStatus.DISCONNECTED, ReaderStatus.ERROR)
    end = time.monotonic() + timeout
    state = reader.state
    seen = state.status not in gone
    if not seen:
        print(f"imdms read: {state.reason}", file=sys.stderr)
    while True:
        left = end - time.monotonic()
        read = reader.read(max(0.0, min(left, STATE_SLICE_S)))
        now = reader.state
        if (now.status in gone) != (state.status in gone):
            if now.status in gone:
                print(f"imdms read: reader lost: {now.reason}", file=sys.stderr)
            else:
                print(f"imdms read: reader back: {now.reason}", file=sys.stderr)
                seen = True
        state = now
        if read is not None or left <= STATE_SLICE_S:
            return read, state, seen


def run(args: argparse.Namespace) -> int:
    import logging

    # The reader logs its retries and skipped noise for the booth's journal; here the lines
    # below already say it once (no-op when the caller configured logging).
    logging.basicConfig(level=logging.ERROR, format="imdms read: %(message)s")
    if args.list_ports:
        return list_ports()
    from drivers.base import ReaderStatus
    from drivers.registry import open_reader

    cfg = reader_config(args)
    with open_reader(cfg, name="imdms-read") as reader:
        state = reader.state
        if state.status is ReaderStatus.ERROR:
            return _fail(f"the reader cannot be used: {state.reason}",
                         "fix the cause above, then run imdms read again")
        trigger = getattr(reader, "trigger", None)
        if trigger is not None and getattr(cfg, "interval_s", 0) is None:
            try:
                trigger(args.specimen)
            except ValueError as err:
                return _fail(str(err), "pick a name from the list")
        print(f"imdms read: waiting up to {args.timeout:g} s for a document from the "
              f"{_describe(cfg)}: present it now", file=sys.stderr)
        read, final, seen = _wait(reader, args.timeout)
    if read is None:
        if final.status in (ReaderStatus.DISCONNECTED, ReaderStatus.ERROR):
            what = ("the reader did not come back" if seen else "no reader appeared")
            return _fail(f"{what} within {args.timeout:g} s",
                         "check the cable and power; `imdms read --list-ports` shows the ports, "
                         "--port PATH tries another", EXIT_ERROR)
        return _fail(f"no document within {args.timeout:g} s",
                     "present the document again; if the reader beeps but nothing arrives, "
                     "try another --baud or --framing", EXIT_TIMEOUT)
    if skipped := read.extra.get("noise_bytes_skipped"):
        print(f"imdms read: warning: skipped {skipped} byte(s) of noise before the document "
              "(normal once after the reader powers up; if it repeats, check --framing)",
              file=sys.stderr)
    data = read.to_json()
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    if not read.ok:
        return _fail(f"the document could not be read: {read.error}", code=EXIT_BAD_READ)
    if read.mrz is not None and not read.mrz.valid:
        return _fail("the document was read but a check failed (see \"errors\" in the JSON)",
                     "check the document itself; the reader works", EXIT_BAD_READ)
    return EXIT_OK
