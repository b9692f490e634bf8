"""The terminal's configuration: one TOML file, validated by these models.

Every model forbids unknown keys (a typo must fail) and every field has a description, which
`config/terminal.example.toml` repeats. Each reader backend owns its `*Config`; `[reader]` is a
union discriminated by `type`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from messaging.codes import Direction

CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalConfig(Strict):
    terminal_id: str = Field(
        "demo-01", pattern=CODE_PATTERN, description="This booth's id, unique per post."
    )
    border_post: str = Field(
        "MSU-BRIDGE",
        pattern=CODE_PATTERN,
        description="Border post code (configurable: no official list exists).",
    )
    default_direction: Direction = Field(
        Direction.ENTRY, description="Direction preselected on the form: ENTRY or EXIT."
    )
    data_dir: Path = Field(
        Path("/var/lib/imdms"), description="Where the outbox and local state live (mode 0700)."
    )
    officers_file: Path = Field(
        Path("/etc/imdms/officers.toml"),
        description="Officer ids with hashed PINs (`imdms officer add`).",
    )
    idle_signout_minutes: int = Field(
        15, ge=1, le=720, description="Sign the officer out after this many idle minutes."
    )
    repeat_scan_window_minutes: int = Field(
        30, ge=0, le=1440,
        description="Warn when the same document was saved at this booth within this many "
        "minutes (0: never warn).",
    )
    default_residence: str = Field(
        "LSO", pattern=r"^[A-Z]{3}$", description="Country of residence preselected for citizens."
    )


class SimulatorConfig(Strict):
    type: Literal["simulator"] = "simulator"
    interval_s: float | None = Field(
        None,
        gt=0,
        description="Serve a specimen every N seconds; unset: only on request (key press).",
    )
    pty_framing: Literal["none", "lines", "stx-etx", "3m-rte", "desko-cute"] = Field(
        "none", description="Serve through a real pty with this framing ('none': in process)."
    )


class SerialMrzConfig(Strict):
    type: Literal["serial_mrz"]
    port: str = Field(
        "/dev/imdms-mrz", description="Serial device path or pyserial URL (e.g. loop://)."
    )
    baud: int = Field(9600, description="Baud rate.")
    bytesize: Literal[5, 6, 7, 8] = Field(8, description="Data bits.")
    parity: Literal["N", "E", "O", "M", "S"] = Field("N", description="Parity: N, E, O, M, S.")
    stopbits: float = Field(1, description="Stop bits: 1, 1.5 or 2.")

    @field_validator("stopbits")
    @classmethod
    def _stopbits(cls, v: float) -> float:
        if v not in (1, 1.5, 2):
            raise ValueError("must be 1, 1.5 or 2")
        return v

    flow_control: Literal["none", "rtscts", "xonxoff", "dsrdtr"] = Field(
        "none", description="Flow control."
    )
    framing: Literal["lines", "stx-etx", "3m-rte", "desko-cute"] = Field(
        "lines", description="How the device frames an MRZ."
    )
    inter_line_timeout_s: float = Field(
        0.3,
        gt=0,
        le=5,
        description="'lines' framing: a document ends when no line comes for this long.",
    )
    reconnect_max_s: float = Field(
        5.0, gt=0, le=60, description="Longest wait between reopen attempts after unplug."
    )


class CameraConfig(Strict):
    type: Literal["camera"]
    source: str = Field(
        "0",
        description="Device index, /dev/videoN, GStreamer pipeline, video file or image folder.",
    )
    width: int = Field(1920, ge=160, description="Requested frame width.")
    height: int = Field(1080, ge=120, description="Requested frame height.")
    ocr_backend: Literal["imdms", "passporteye"] = Field(
        "imdms", description="MRZ reader: ours, or PassportEye for comparison."
    )
    frames_to_agree: int = Field(
        2, ge=1, le=20, description="Consecutive frames that must agree on unchecked fields."
    )


class ChipConfig(Strict):
    type: Literal["chip"]
    reader: str = Field("", description="PC/SC reader name (substring); empty: the first reader.")
    csca_path: Path | None = Field(
        None, description="CSCA certificates: a folder of PEM/DER or an ICAO master list."
    )
    max_le: int = Field(
        65536,
        ge=1,
        le=65536,
        description="Largest Le to try; the reader steps down if the card refuses.",
    )


ReaderConfig = Annotated[
    SimulatorConfig | SerialMrzConfig | CameraConfig | ChipConfig,
    Field(discriminator="type"),
]


class OutboxConfig(Strict):
    path: Path | None = Field(
        None, description="SQLite outbox file; default <data_dir>/outbox.sqlite3."
    )
    disk_floor_mb: int = Field(
        200, ge=1, description="Refuse new records when free space falls below this (MiB)."
    )
    max_record_bytes: int = Field(
        16384,
        ge=1024,
        description="Largest record accepted (bytes of JSON); keep under the broker's limit.",
    )
    quarantine_after: int = Field(
        5, ge=1, description="Failed publishes before a record is quarantined."
    )
    sent_retention_days: float = Field(
        400,
        gt=0,
        description="Days the ids of forwarded records are kept, so an import of an old export "
        "queues nothing twice; pruned by the forwarder.",
    )


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


class LoggingConfig(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Root log level."
    )
    levels: dict[str, Literal["DEBUG", "INFO", "WARNING", "ERROR"]] = Field(
        default_factory=dict, description='Per-module levels, e.g. messaging = "DEBUG".'
    )


class CollectorConfig(Strict):
    database: str = Field(
        "/var/lib/imdms/central.sqlite3", description="SQLite path, or a postgresql:// URL."
    )
    share_group: str = Field("imdms-collectors", description="MQTT 5 shared-subscription group.")
    suppress_below: int = Field(
        0, ge=0, description="Published tables blank cells with fewer than N people (0: off)."
    )


class Config(Strict):
    terminal: TerminalConfig = Field(default_factory=TerminalConfig, description="This booth.")
    reader: ReaderConfig = Field(
        default_factory=SimulatorConfig, description="The document reader."
    )
    chip: ChipConfig | None = Field(
        None, description="An ePassport chip reader beside the MRZ reader."
    )
    outbox: OutboxConfig = Field(
        default_factory=OutboxConfig, description="The durable local store."
    )
    broker: BrokerConfig = Field(
        default_factory=BrokerConfig, description="The central MQTT broker."
    )
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="Logging.")
    collector: CollectorConfig = Field(
        default_factory=CollectorConfig, description="Central collector (imdms collect)."
    )

    def outbox_path(self) -> Path:
        return self.outbox.path or self.terminal.data_dir / "outbox.sqlite3"
