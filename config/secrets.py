"""The one way every program finds a secret (MQTT password, TLS key, signing and sealing keys).

Secrets never live in the TOML: the config names a credential, and the credential is looked up
in this order:

1. a name that is an absolute path is that file, and only that file;
2. inside a systemd unit (`LoadCredential=`), `$CREDENTIALS_DIRECTORY/<name>`: systemd's private
   copy, readable only by the service;
3. from a shell (no `$CREDENTIALS_DIRECTORY`), `$IMDMS_CREDENTIALS_DIR/<name>`, by default
   `/etc/imdms/credentials/<name>`: the folder the units load them from (0700 root), so
   `imdms doctor` and a program run by hand as root see what the service would see.

An empty file means "not set" (the installer leaves empty files). Stdlib only; values are never
logged and never put in exception messages.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DIR = Path("/etc/imdms/credentials")
UNIT_VARIABLE = "CREDENTIALS_DIRECTORY"  # set by systemd for units with LoadCredential=
SHELL_VARIABLE = "IMDMS_CREDENTIALS_DIR"  # overrides DEFAULT_DIR outside a unit

__all__ = ["DEFAULT_DIR", "credential", "credential_path", "credentials_dir", "secret_path"]


def credentials_dir() -> Path:
    """The folder credentials are read from now (steps 2 and 3 of the module's order)."""
    for variable in (UNIT_VARIABLE, SHELL_VARIABLE):
        if value := os.environ.get(variable):
            return Path(value)
    return DEFAULT_DIR


def secret_path(name: str, directory: Path | None = None) -> Path:
    """Where the credential `name` is looked for, whether or not it exists.

    `directory` replaces credentials_dir() (the doctor's tests point it at a temporary folder).
    """
    if os.path.isabs(name):
        return Path(name)
    return (directory if directory is not None else credentials_dir()) / name


def credential_path(name: str, directory: Path | None = None) -> Path | None:
    """The credential's file when it exists (TLS keys, which ssl loads by path); else None."""
    path = secret_path(name, directory)
    return path if path.is_file() else None


def credential(name: str, directory: Path | None = None) -> str | None:
    """The credential's text without surrounding whitespace; None when absent, unreadable or
    empty."""
    try:
        value = secret_path(name, directory).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None
