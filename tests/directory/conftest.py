"""Directory tests: the centre's signing key, a booth's public key file, cheap scrypt, and the
real mosquitto of tests/messaging."""

from __future__ import annotations

from pathlib import Path

import pytest
from nacl.signing import SigningKey

from messaging.export_file import verify_key_pem
from messaging.seal import ED25519_PRIVATE, pem
from tests.messaging.conftest import broker_factory

__all__ = ["broker_factory"]


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cost is stored with each hash: a cheaper one keeps these tests fast."""
    monkeypatch.setattr("terminal.officers.SCRYPT_N", 2**10)


@pytest.fixture
def centre_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def public_key_file(tmp_path: Path, centre_key: SigningKey) -> Path:
    path = tmp_path / "directory.pub"
    path.write_text(verify_key_pem(centre_key.verify_key), encoding="ascii")
    return path


@pytest.fixture
def private_key_file(tmp_path: Path, centre_key: SigningKey) -> Path:
    path = tmp_path / "directory.key"
    path.write_text(pem(ED25519_PRIVATE, bytes(centre_key), "PRIVATE KEY"), encoding="ascii")
    path.chmod(0o600)
    return path
