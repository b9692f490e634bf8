"""The sections that link a booth to the centre: `[broker]` (and its TLS), `[seal]`,
`[watchlist]`, `[directory]`, plus `[logging]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import Strict


class TlsConfig(Strict):
    ca_file: Path | None = Field(
        None, description="CA certificate that signed the broker's certificate."
    )
    cert_file: Path | None = Field(
        None, description="This terminal's client certificate (mutual TLS)."
    )
    key_credential: str = Field(
        "imdms-client.key",
        description="Credential name of the client key in $CREDENTIALS_DIRECTORY, or a path.",
    )


class BrokerConfig(Strict):
    host: str = Field(
        "", description="Central MQTT broker host; empty: forwarding disabled (demo)."
    )
    port: int = Field(8883, ge=1, le=65535, description="Broker port (8883 TLS, 1883 plain).")
    protocol: Literal["3.1.1", "5"] = Field("5", description="MQTT protocol version.")
    tls: TlsConfig | None = Field(None, description="TLS settings; unset: plain TCP (tests only).")
    username: str | None = Field(None, description="Optional MQTT username.")
    password_credential: str = Field(
        "imdms-mqtt.password",
        description="Credential name of the MQTT password in $CREDENTIALS_DIRECTORY.",
    )
    client_id: str | None = Field(
        None, description="MQTT client id; default imdms-<border_post>-<terminal_id>."
    )
    keepalive_s: int = Field(30, ge=5, le=3600, description="MQTT keepalive.")
    topic_prefix: str = Field(
        "imdms/v1", description="Topic prefix; crossings go to <prefix>/<post>/<terminal>/crossing."
    )
    inflight: int = Field(100, ge=1, le=65535, description="Most unacknowledged publishes at once.")
    backoff_min_s: float = Field(1.0, gt=0, description="First reconnect delay.")
    backoff_max_s: float = Field(120.0, gt=0, description="Longest reconnect delay.")
    heartbeat_s: int = Field(60, ge=5, description="Heartbeat period.")


class SealConfig(Strict):
    central_public_key: Path | None = Field(
        None,
        description="The centre's X25519 public key (PEM, `openssl pkey -pubout`): personal "
        "fields are sealed to it before a record touches the disk. Unset: the booth refuses to "
        "start (the demo makes a throwaway pair); see docs/security.md.",
    )
    signing_key_credential: str = Field(
        "imdms-signing.key",
        description="Credential name (or path) of this terminal's Ed25519 private key (PEM, "
        "`openssl genpkey -algorithm ed25519`): it signs USB exports.",
    )
    terminal_keys_dir: Path = Field(
        Path("/etc/imdms/terminal-keys"),
        description="Folder of <terminal_id>.pub Ed25519 public keys (PEM) of the terminals "
        "whose USB exports `outbox import` accepts (this terminal's own key is always trusted).",
    )
    accept_unsigned_v1: bool = Field(
        True,
        description="Accept unsigned exports of plain crossing-v1 lines (from terminals before "
        "sealing; they are sealed on arrival). Set false once every post signs its exports.",
    )


class WatchlistConfig(Strict):
    public_key: Path | None = Field(
        None,
        description="Booth: the centre's Ed25519 watchlist public key (PEM, `openssl pkey "
        "-pubout`); every list and delta is verified with it before it is applied. Unset: "
        "<data_dir>/watchlist.pub. Without a key no list is applied (checks: NOT_CHECKED).",
    )
    signing_key_credential: str = Field(
        "imdms-watchlist.key",
        description="Centre: credential name (or path) of the Ed25519 private key (PEM, "
        "`openssl genpkey -algorithm ed25519`) `imdms watchlist publish` signs with.",
    )


class DirectoryConfig(Strict):
    public_key: Path | None = Field(
        None,
        description="Booth: the centre's Ed25519 public key(s) (PEM; several during a rotation) "
        "that sign the officer directory. Unset: the directory is not applied, only "
        "[terminal] officers_file counts.",
    )
    file: Path | None = Field(
        None,
        description="Booth: the applied officer directory (mode 0600); default "
        "<terminal.data_dir>/officer-directory.json.",
    )
    signing_key_credential: str = Field(
        "imdms-directory.key",
        description="Centre: credential name (or path) of the Ed25519 private key (PEM) that "
        "signs the officer directory (`imdms officer publish`).",
    )
    store_file: Path = Field(
        Path("/var/lib/imdms-central/officers.json"),
        description="Centre: the officer directory being managed (ids, PIN verifiers, roles, "
        "revocations, version; mode 0600).",
    )
    terminals_file: Path = Field(
        Path("/var/lib/imdms-central/terminals.json"),
        description="Centre: the terminal registry (certificate serials, revocations).",
    )
    ca_cert: Path | None = Field(
        None,
        description="Centre: the CA certificate (PEM) that issues terminals' client "
        "certificates; the CRL is signed for it.",
    )
    ca_key_credential: str = Field(
        "imdms-terminal-ca.key",
        description="Centre: credential name (or path) of that CA's private key (PEM).",
    )
    crl_file: Path = Field(
        Path("/etc/imdms-central/terminals.crl"),
        description="Centre: where `imdms terminal revoke` writes the CRL (PEM) the broker "
        "checks (mosquitto crlfile; RabbitMQ: a CRL folder).",
    )
    crl_days: int = Field(
        30, ge=1, le=365,
        description="Centre: days a CRL stays valid; regenerate before (`imdms terminal crl`, "
        "a timer), or the broker refuses every terminal.",
    )


class LoggingConfig(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Root log level."
    )
    levels: dict[str, Literal["DEBUG", "INFO", "WARNING", "ERROR"]] = Field(
        default_factory=dict, description='Per-module levels, e.g. messaging = "DEBUG".'
    )
