"""What the sealing tests share: keys, terminal configs, and a traveller with values easy to find
in raw bytes."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from messaging.export_file import verify_key_pem
from messaging.seal import ED25519_PRIVATE, pem
from records.codes import TipIndicator
from records.record import CrossingRecord
from tests.messaging.helpers import REPO
from tests.messaging.records import make_record

# what must never appear in clear on a disk, a stick or the wire
SECRETS = {
    "surname": "SEALTESTNAME",
    "given_names": "OMEGAGIVEN",
    "document_number": "SX7654321",
    "date_of_birth": "1979-11-23",
    "date_of_expiry": "2031-05-17",
    "notes": "NOTESECRETWORD",
    "tip_note": "TIPNOTESECRET",
}


def person(**kw: Any) -> CrossingRecord:
    values: dict[str, Any] = {**SECRETS, "tip_indicators": (TipIndicator.COMPANION_ANSWERS,)}
    values.update(kw)
    return make_record(**values)


def assert_no_secrets(raw: bytes, where: str) -> None:
    for name, value in SECRETS.items():
        assert value.encode() not in raw, f"{name} in clear in {where}"
    assert b"COMPANION_ANSWERS" not in raw, f"tip indicator in clear in {where}"


def same_values(opened: dict[str, Any], record: CrossingRecord) -> None:
    """Sealing is not dropping: every field comes back as it went in."""
    want = record.to_dict()
    for f in dataclasses.fields(CrossingRecord):
        assert opened[f.name] == want[f.name], f.name


@dataclasses.dataclass
class Keys:
    central_private: Path
    central_public: Path
    credentials: Path  # what systemd's $CREDENTIALS_DIRECTORY would be


def terminal_config(tmp_path: Path, keys: Keys, terminal_id: str, *, signing: bool = True,
                    extra: str = "", broker_port: int | None = None) -> Path:
    """A terminal's folder and config: its own signing key (a credential file) and the shared
    folder of trusted terminal keys (tmp_path/terminal-keys)."""
    data = tmp_path / terminal_id
    data.mkdir(exist_ok=True)
    trusted = tmp_path / "terminal-keys"
    trusted.mkdir(exist_ok=True)
    signing_path = data / "signing.key"
    if signing and not signing_path.exists():
        key = SigningKey.generate()
        signing_path.write_text(pem(ED25519_PRIVATE, bytes(key), "PRIVATE KEY"))
        (trusted / f"{terminal_id}.pub").write_text(verify_key_pem(key.verify_key))
    broker = (f'[broker]\nhost = "127.0.0.1"\nport = {broker_port}\nbackoff_min_s = 0.1\n'
              f'backoff_max_s = 0.5\n' if broker_port else "")
    path = data / "terminal.toml"
    path.write_text(
        f'[terminal]\nterminal_id = "{terminal_id}"\nborder_post = "MSU-BRIDGE"\n'
        f'data_dir = "{data}"\n[outbox]\ndisk_floor_mb = 1\n{broker}'
        f'[seal]\ncentral_public_key = "{keys.central_public}"\n'
        f'signing_key_credential = "{signing_path}"\nterminal_keys_dir = "{trusted}"\n{extra}'
    )
    return path


def booth_add(config: Path, n: int) -> tuple[subprocess.Popen[str], list[str]]:
    """Start the booth-like process; (process, ids of the records it added)."""
    proc, records = booth_records(config, n)
    return proc, [r["record_id"] for r in records]


def booth_records(config: Path, n: int) -> tuple[subprocess.Popen[str], list[dict[str, Any]]]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.seal.booth_add", str(config), str(n)],
                            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    records = []
    while (line := proc.stdout.readline().strip()) != "added":
        assert line, "the booth process ended early"
        records.append(json.loads(line))
    return proc, records
