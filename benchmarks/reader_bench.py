"""Serial MRZ reader benchmark: bytes received -> DocumentRead latency through a real pty, and
the CPU a waiting reader uses.

    .venv/bin/python benchmarks/reader_bench.py [--n 200] [--idle-s 5]

Latency is measured from the moment the whole frame sits in the pty (os.write returned) to
`read()` returning the parsed DocumentRead, per framing, against a bare pyserial loop on the
same pty (`read_until(ETX)`, the usual hand-written loop: no framing checks, no parsing, but
one select() per byte). Goals: median and p99
<= 20 ms; idle CPU < 1 % (connected and waiting; and unplugged, retrying with backoff).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tty
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.models import SerialMrzConfig  # noqa: E402
from drivers.framing import FRAMINGS, encode  # noqa: E402
from drivers.serial_mrz import SerialMrzReader  # noqa: E402
from ocr.specimens import specimens  # noqa: E402


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def open_pty() -> tuple[int, int, str]:
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def config(path: str, framing: str) -> SerialMrzConfig:
    return SerialMrzConfig.model_validate(
        {"type": "serial_mrz", "port": path, "framing": framing, "baud": 115200}
    )


def bench_reader(framing: str, n: int, lines: list[str]) -> list[float]:
    master, slave, path = open_pty()
    frame = encode(lines, framing)
    out: list[float] = []
    try:
        with SerialMrzReader(config(path, framing), name="bench") as reader:
            for _ in range(n):
                os.write(master, frame)
                t0 = time.perf_counter()
                got = reader.read(5)
                out.append((time.perf_counter() - t0) * 1000)
                assert got is not None and got.ok, "benchmark read failed"
                time.sleep(0.002)
    finally:
        os.close(master)
        os.close(slave)
    return out


def bench_floor(n: int, lines: list[str]) -> list[float]:
    """Bare pyserial peer: block in read_until(ETX) on the same kind of pty."""
    import serial

    master, slave, path = open_pty()
    frame = encode(lines, "stx-etx")
    out: list[float] = []
    port = serial.Serial(path, 115200, timeout=5)
    try:
        for _ in range(n):
            os.write(master, frame)
            t0 = time.perf_counter()
            data = port.read_until(b"\x03")
            out.append((time.perf_counter() - t0) * 1000)
            assert data.endswith(b"\x03")
            time.sleep(0.002)
    finally:
        port.close()
        os.close(master)
        os.close(slave)
    return out


def idle_cpu(seconds: float, *, unplugged: bool) -> float:
    master, slave, path = open_pty()
    with tempfile.TemporaryDirectory() as tmp:
        port = str(Path(tmp) / "gone") if unplugged else path
        with SerialMrzReader(config(port, "lines"), name="idle"):
            time.sleep(0.2)
            c0, t0 = cpu(), time.monotonic()
            time.sleep(seconds)
            used, wall = cpu() - c0, time.monotonic() - t0
    os.close(master)
    os.close(slave)
    return 100 * used / wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="reads per framing")
    parser.add_argument("--idle-s", type=float, default=5.0, help="seconds of idle measurement")
    args = parser.parse_args()
    lines = specimens()["lso_passport"]

    floor = bench_floor(args.n, lines)
    f_med, f_p99 = statistics.median(floor), pct(floor, 0.99)
    print(f"pty -> DocumentRead latency, {args.n} reads each (ms)")
    print(f"  {'bare pyserial read_until':26s} median {f_med:6.2f}  p99 {f_p99:6.2f}")
    worst = 0.0
    for framing in FRAMINGS:
        times = bench_reader(framing, args.n, lines)
        med, p99 = statistics.median(times), pct(times, 0.99)
        worst = max(worst, p99)
        print(f"  {'SerialMrzReader ' + framing:26s} median {med:6.2f}  p99 {p99:6.2f}  "
              f"(median x{med / f_med:.2f} the bare loop)")
    connected = idle_cpu(args.idle_s, unplugged=False)
    unplugged = idle_cpu(args.idle_s, unplugged=True)
    print(f"idle CPU over {args.idle_s:g} s: waiting for a document {connected:.3f} %, "
          f"device unplugged (backoff) {unplugged:.3f} %")
    ok = worst <= 20 and connected < 1 and unplugged < 1
    print("goals (p99 <= 20 ms, idle < 1 %):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
