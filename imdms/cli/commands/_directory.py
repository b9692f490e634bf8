"""The centre-side verbs of `imdms officer` (directory) and `imdms terminal` (registry, CRL).
Split from officer.py and terminal.py so the booth's commands stay small."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from config.models import Config
from imdms.errors import ConfigError

if TYPE_CHECKING:
    from nacl.signing import SigningKey

    from central.directory.terminals import Ca

KEY_HINT = ("pass the Ed25519 private key (`openssl genpkey -algorithm ed25519`) as the "
            "credential [directory] signing_key_credential; see docs/security.md")


def _config(args: argparse.Namespace) -> Config:
    from config.loader import load_config

    return load_config(args.config, required=True)


def _signing_key(config: Config) -> SigningKey:
    from config.loader import credential
    from messaging.export_file import signing_key_from_pem
    from messaging.seal import SealError

    name = config.directory.signing_key_credential
    text = credential(name)
    if text is None:
        raise ConfigError(f"no directory signing key (credential {name})", KEY_HINT)
    try:
        return signing_key_from_pem(text)
    except SealError as err:
        raise ConfigError(f"credential {name}: {err.message}", KEY_HINT) from err


def _publish(config: Config) -> int:
    from central.directory.officers import DirectoryStore
    from central.directory.publish import send_retained
    from messaging.topics import Topics

    key = _signing_key(config)
    version, payload = DirectoryStore(config.directory.store_file).publish(key)
    topic = Topics(config.broker.topic_prefix, "-", "-").officers
    send_retained(config.broker, topic, payload)
    print(f"officer directory version {version} published on {topic}")
    return 0


def run_central(args: argparse.Namespace, read_pin: Callable[[argparse.Namespace], str]) -> int:
    """`imdms officer --central add|list`, `imdms officer revoke|publish`."""
    from central.directory.officers import DirectoryStore
    from terminal.officers import check_officer_id, check_pin, hash_pin

    config = _config(args)
    store = DirectoryStore(config.directory.store_file)
    if args.verb == "publish":
        return _publish(config)
    if args.verb == "list":
        state = store.load()
        print(f"# version {state.version} published; changes since are published by "
              "`imdms officer publish`")
        for oid in sorted(state.officers):
            entry = state.officers[oid]
            print(f"{oid}\t{','.join(entry.get('roles', []))}\tadded {entry.get('added_at')}")
        for oid in sorted(state.revoked):
            print(f"{oid}\trevoked {state.revoked[oid]}")
        return 0
    if args.verb == "remove":
        print("imdms officer: at the centre an officer is revoked, not removed", file=sys.stderr)
        print("  what to do: `imdms officer revoke ID` (booths then refuse the id)",
              file=sys.stderr)
        return 2
    officer_id = check_officer_id(args.officer_id)
    if args.verb == "revoke":
        if not store.revoke(officer_id):
            print(f"officer {officer_id} was already revoked")
        else:
            print(f"officer {officer_id} revoked in the directory")
        return 0 if args.no_publish else _publish(config)
    pin = check_pin(read_pin(args))
    store.add(officer_id, hash_pin(pin), tuple(args.role or ["officer"]))
    print(f"officer {officer_id} saved in the directory; `imdms officer publish` sends it")
    return 0


def _ca(config: Config) -> Ca:
    from central.directory.terminals import CA_HINT, load_ca
    from config.loader import credential

    name = config.directory.ca_key_credential
    key = credential(name)
    if config.directory.ca_cert is None or key is None:
        raise ConfigError("the terminals' CA is not configured (certificate or key credential "
                          f"{name} missing)", CA_HINT)
    try:
        cert = Path(config.directory.ca_cert).read_bytes()
    except OSError as err:
        raise ConfigError(f"[directory] ca_cert {config.directory.ca_cert} cannot be read",
                          CA_HINT) from err
    return load_ca(cert, key.encode("ascii"))


def _write_crl(config: Config) -> int:
    from central.directory.terminals import TerminalRegistry, build_crl, write_crl

    ca = _ca(config)
    revoked = TerminalRegistry(config.directory.terminals_file).revoked_serials()
    write_crl(config.directory.crl_file, build_crl(ca, revoked, days=config.directory.crl_days))
    print(f"CRL with {len(revoked)} revoked terminal(s) written to {config.directory.crl_file}, "
          f"valid {config.directory.crl_days} days")
    print("  the broker reads it at start: restart it now (docs/security.md)")
    return 0


def run_terminal_verb(args: argparse.Namespace) -> int:
    """`imdms terminal register ID CERT | revoke ID | crl | list` at the centre."""
    from central.directory.terminals import TerminalRegistry

    config = _config(args)
    registry = TerminalRegistry(config.directory.terminals_file)
    if args.verb == "list":
        for tid, entry in sorted(registry.load().items()):
            state = f"revoked {entry['revoked_at']}" if entry.get("revoked_at") else "active"
            print(f"{tid}\tserial {entry.get('serial')}\t{state}")
        return 0
    if args.verb == "crl":
        return _write_crl(config)
    if args.verb == "register":
        ca = _ca(config) if config.directory.ca_cert else None
        try:
            pem = Path(args.cert).read_bytes()
        except OSError as err:
            raise ConfigError(f"certificate {args.cert} cannot be read",
                              "give the path of the terminal's client certificate") from err
        serial = registry.register(args.terminal_id, pem, ca)
        print(f"terminal {args.terminal_id} registered (certificate serial {serial:x})")
        return 0
    if not registry.revoke(args.terminal_id, args.reason or ""):
        print(f"terminal {args.terminal_id} was already revoked; writing the CRL again")
    else:
        print(f"terminal {args.terminal_id} revoked")
    return _write_crl(config)
