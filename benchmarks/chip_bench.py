"""Chip read benchmark: DG1 + ~17 KB DG2 + SOD + passive authentication on the simulator,
over the real path pyscard -> pcscd -> vpcd -> tools/epassport_sim. Needs root (pcscd).

Prints, per configuration, the APDU count and median seconds of a full read, and the ratio to
the extended-length PACE read measured in the same run. Goal: <= 20 APDUs and <= 0.5 s with
extended length.

    .venv/bin/python benchmarks/chip_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.chip.bac import keys_from_mrz_lines  # noqa: E402
from drivers.chip.session import read_passport  # noqa: E402
from drivers.chip.transport import PcscTransport  # noqa: E402
from tools.epassport_sim import VpcdClient, make_card, make_test_pki  # noqa: E402
from tools.epassport_sim.pcscd import Pcscd  # noqa: E402

# a synthetic TD3 (not a specimen): LS1234567, born 850412, expires 320101
LINES = [
    "P<LSOTESTER<<PALESA<<<<<<<<<<<<<<<<<<<<<<<<<",
    "LS12345679LSO8504124F3201015<<<<<<<<<<<<<<06",
]

CONFIGS = [
    # name, card kwargs, reader max_le, quickack
    ("extended, PACE AES", {"pace": "AES"}, 65536, True),
    ("extended, BAC", {"pace": None}, 65536, True),
    ("short only (card max 255)", {"pace": "AES", "extended": False, "max_le": 0xFF}, 65536, True),
    ("short only (card max 223)", {"pace": "AES", "extended": False, "max_le": 0xDF}, 65536, True),
    ("config max_le 223", {"pace": "AES", "extended": False, "max_le": 0xDF}, 0xDF, True),
    ("extended, no TCP_QUICKACK", {"pace": "AES"}, 65536, False),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    pki = make_test_pki()
    keys = keys_from_mrz_lines(LINES)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Pcscd(Path(tmp) / "pcscd.log") as reader:
        for name, kwargs, max_le, quickack in CONFIGS:
            card = make_card(LINES, pki, **kwargs)  # type: ignore[arg-type]
            sim = VpcdClient(card, quickack=quickack)
            sim.start()
            transport = PcscTransport(reader)
            try:
                transport.wait_for_card(10)
                times, apdus = [], 0
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    result = read_passport(transport, keys, max_le=max_le, csca=[pki.csca_cert])
                    times.append(time.perf_counter() - t0)
                    transport.disconnect()
                    apdus = result.apdu_count
                    assert set(result.passive_authentication.values()) == {"passed"}
                dg2 = len(card.files["DG2"])
            finally:
                transport.close()
                sim.stop()
                t = PcscTransport(reader)
                t.wait_for_removal(3)
                t.close()
            rows.append((name, apdus, statistics.median(times), result.le, dg2))
    base = rows[0][2]
    print(
        f"chip read benchmark: {args.runs} runs each, DG2 {rows[0][4]} bytes, "
        "pyscard -> pcscd -> vpcd -> simulator"
    )
    print(f"{'configuration':32} {'APDUs':>6} {'median s':>9} {'Le used':>8} {'vs ext.':>8}")
    for name, apdus, med, le, _dg2 in rows:
        print(f"{name:32} {apdus:6d} {med:9.3f} {le:8d} {med / base:7.2f}x")
    ok = rows[0][1] <= 20 and rows[0][2] <= 0.5
    print(f"goal (<= 20 APDUs, <= 0.5 s with extended length): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
