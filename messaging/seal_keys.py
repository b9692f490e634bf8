"""The keys a terminal uses, from its configuration: the centre's public key ([seal]
central_public_key), its own Ed25519 signing key (a systemd credential) and the public keys of
the terminals whose exports it accepts. See docs/security.md for making and rotating them."""

from __future__ import annotations

import os
from pathlib import Path

from nacl.signing import SigningKey, VerifyKey

from config.loader import credential
from config.models import Config
from imdms.errors import ConfigError
from messaging.export_file import Trusted, signing_key_from_pem, verify_key_from_pem
from messaging.seal import Sealer, SealError, new_key_pair

DEMO_PRIVATE = "demo-central.key"
DEMO_PUBLIC = "demo-central.pub"


def sealer_for(config: Config, *, required: bool) -> Sealer | None:
    """The sealer for [seal] central_public_key; None when unset and not required.

    Raises ConfigError when required and unset (a booth must not store personal data in
    clear), or when the file cannot be read as an X25519 public key."""
    path = config.seal.central_public_key
    if path is None:
        if not required:
            return None
        raise ConfigError(
            "[seal] central_public_key is not set: personal data would be stored in clear",
            "install the centre's public key (e.g. /etc/imdms/central.pub) and set "
            "[seal] central_public_key to its path; see docs/security.md",
        )
    try:
        return Sealer.from_file(path)
    except SealError as err:
        raise ConfigError(f"[seal] central_public_key: {err.message}", err.hint) from err


def demo_sealer(data_dir: Path) -> Sealer:
    """A throwaway centre key pair in the demo folder (the demo has no centre; its private key
    lying beside the data is fine only because the demo's travellers are specimens)."""
    public = data_dir / DEMO_PUBLIC
    if not public.exists():
        private_pem, public_pem = new_key_pair()
        fd = os.open(data_dir / DEMO_PRIVATE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(private_pem)
        public.write_text(public_pem, encoding="ascii")
    return Sealer.from_file(public)


def signing_key(config: Config) -> SigningKey | None:
    """This terminal's export signing key, or None when the credential is absent."""
    text = credential(config.seal.signing_key_credential)
    if text is None:
        return None
    try:
        return signing_key_from_pem(text)
    except SealError as err:
        raise ConfigError(f"signing key credential {config.seal.signing_key_credential}: "
                          f"{err.message}", "give an `openssl genpkey -algorithm ed25519` PEM"
                          ) from err


def trusted_terminals(config: Config) -> Trusted:
    """True for this terminal's own key and for <terminal_keys_dir>/<terminal_id>.pub."""
    own = signing_key(config)
    folder = config.seal.terminal_keys_dir

    def trusted(terminal_id: str, key: VerifyKey) -> bool:
        if own is not None and terminal_id == config.terminal.terminal_id \
                and bytes(own.verify_key) == bytes(key):
            return True
        if "/" in terminal_id or terminal_id.startswith("."):
            return False
        try:
            text = (folder / f"{terminal_id}.pub").read_text(encoding="ascii")
            return bytes(verify_key_from_pem(text)) == bytes(key)
        except (OSError, UnicodeDecodeError, SealError):
            return False

    return trusted
