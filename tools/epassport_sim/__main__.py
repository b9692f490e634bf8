"""Run the simulator against a running pcscd with vpcd (test machines only):

    python -m tools.epassport_sim --csca-out /tmp/csca [--profile NAME] [--pace AES|3DES|none]
        [--max-le N] [--no-extended] [--port 35963] [--mrz LINE LINE]

--profile picks a named chip behaviour (tools/epassport_sim/profiles.py; --list-profiles);
--csca-out is a folder that receives the CSCA certificate (and the CRL for revoked-dsc).

then, in another shell: imdms chip read --reader "Virtual PCD 00 00" --mrz LINE LINE
--csca /tmp/csca.pem. Ctrl-C removes the card.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from tools.epassport_sim import VPCD_PORT, VpcdClient, make_card, make_test_pki, profiles
from tools.epassport_sim.profiles import PROFILES, make_profile

DEFAULT_MRZ = [
    "P<LSOTESTER<<PALESA<<<<<<<<<<<<<<<<<<<<<<<<<",
    "LS12345679LSO8504124F3201015<<<<<<<<<<<<<<06",
]


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.epassport_sim", description=__doc__)
    ap.add_argument("--mrz", nargs="+", default=DEFAULT_MRZ, help="MRZ lines of the card")
    ap.add_argument("--pace", choices=["AES", "3DES", "none"], default="AES")
    ap.add_argument("--parameter-id", type=int, choices=[12, 13], default=13)
    ap.add_argument("--max-le", type=int, default=65536)
    ap.add_argument("--no-extended", action="store_true")
    ap.add_argument("--port", type=int, default=VPCD_PORT)
    ap.add_argument(
        "--csca-out", type=Path, help="folder (or .pem file) for the test CSCA certificate"
    )
    ap.add_argument("--profile", choices=PROFILES, help="a named chip behaviour")
    ap.add_argument("--list-profiles", action="store_true", help="describe the profiles")
    args = ap.parse_args()
    if args.list_profiles:
        print(profiles.__doc__)
        return 0
    if args.profile:
        sim = make_profile(args.profile, args.mrz)
        pki, card = sim.pki, sim.card
    else:
        pki = make_test_pki()
        card = make_card(
            args.mrz,
            pki,
            pace=None if args.pace == "none" else args.pace,
            parameter_id=args.parameter_id,
            max_le=args.max_le,
            extended=not args.no_extended,
        )
        sim = None
    if args.csca_out:
        if args.csca_out.suffix == ".pem":
            args.csca_out.write_bytes(pki.csca_pem())
        else:
            args.csca_out.mkdir(parents=True, exist_ok=True)
            (args.csca_out / "csca.pem").write_bytes(pki.csca_pem())
            if sim is not None and sim.crl:
                (args.csca_out / "csca.crl").write_bytes(sim.crl)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with VpcdClient(card, port=args.port) as client:
        client.start()
        print(f"card inserted on vpcd port {args.port}; Ctrl-C removes it", file=sys.stderr)
        done.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
