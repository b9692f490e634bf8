"""How the forwarder reaches the broker: settings from the config (credentials included) and
the filter that keeps paho's per-retry link errors out of the journal."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imdms.errors import ConfigError


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """Everything the forwarder needs to reach the broker (built from config by from_config)."""

    host: str
    port: int = 1883
    protocol: str = "5"
    client_id: str = "imdms"
    keepalive_s: int = 30
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    window: int = 100
    backoff_min_s: float = 1.0
    backoff_max_s: float = 120.0
    heartbeat_s: float = 60.0


def settings_from_config(config: Any) -> LinkSettings:
    """LinkSettings from a config.models.Config; reads the key and password credentials."""
    from config.loader import credential, credential_path

    b = config.broker
    if not b.host:
        raise ConfigError(
            "forwarding is disabled: [broker] host is empty",
            "set [broker] host (and [broker.tls]) in the configuration file",
        )
    ca = cert = key = None
    if b.tls is not None:
        ca, cert = b.tls.ca_file, b.tls.cert_file
        if cert is not None:
            key = credential_path(b.tls.key_credential)
            if key is None:
                raise ConfigError(
                    f"client key {b.tls.key_credential!r} not found",
                    "provide it with systemd LoadCredential= or set [broker.tls] key_credential "
                    "to an absolute path",
                )
    password = credential(b.password_credential) if b.username else None
    t = config.terminal
    return LinkSettings(
        host=b.host, port=b.port, protocol=b.protocol,
        client_id=b.client_id or f"imdms-{t.border_post}-{t.terminal_id}",
        keepalive_s=b.keepalive_s, ca_file=ca, cert_file=cert, key_file=key,
        username=b.username, password=password, window=b.inflight,
        backoff_min_s=b.backoff_min_s, backoff_max_s=b.backoff_max_s,
        heartbeat_s=float(b.heartbeat_s),
    )


class LinkNoise(logging.Filter):
    """Drop paho's per-retry link errors: the forwarder logs an outage once, and its end."""

    NOISE = ("Client is not connected", "failed to receive on socket", "Connection failed")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.NOISE))
