"""The terminal's configuration: one TOML file, validated by these models.

Every model forbids unknown keys (a typo must fail) and every field has a description, which
`config/terminal.example.toml` repeats. Each reader backend owns its `*Config`; `[reader]` is a
union discriminated by `type`.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ocr.country_codes import ICAO_SPECIAL_CODES
from records.codes import Direction

__all__ = ["BAUD_RATES", "Config", "Direction", "is_country_code"]

CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
# The loader says these in words instead of quoting the regular expression.
PATTERN_WORDS = {
    CODE_PATTERN: "1 to 64 letters, digits, '.', '_' or '-' (no spaces)",
}
# Standard serial line rates; a reader on anything else is a typo (e.g. baud = 960).
BAUD_RATES = (300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800,
              921600)


def _choices(annotation: Any) -> tuple[Any, ...]:
    """The allowed spellings of a Literal-of-strings or Enum field (empty: not a choice)."""
    if get_origin(annotation) is Literal:
        return tuple(v for v in get_args(annotation) if isinstance(v, str))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(annotation)
    return ()


def _fold(value: Any, choices: tuple[Any, ...]) -> Any:
    """`exit` -> Direction.EXIT, `debug` -> "DEBUG": choices are matched whatever the case."""
    if not isinstance(value, str):
        return value
    wanted = value.strip().casefold()
    for choice in choices:
        text = choice.value if isinstance(choice, Enum) else choice
        if str(text).casefold() == wanted:
            return choice
    return value


def is_country_code(code: str) -> bool:
    """ISO 3166-1 alpha-3, or one of ICAO 9303's three-letter codes (XXA, UNK, GBD...)."""
    from ocr.country_codes import ISO_3166_ALPHA3  # the one country list (stdlib only)

    return code in ISO_3166_ALPHA3 or (len(code) == 3 and code in ICAO_SPECIAL_CODES)


class Strict(BaseModel):
    """Unknown keys fail; choices ignore case. The loader validates TOML with strict=True
    (`port = "8883"` is refused, not converted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _fold_choices(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, field in cls.model_fields.items():
            if name not in out:
                continue
            annotation = field.annotation
            if get_origin(annotation) is dict:
                choices = _choices(get_args(annotation)[1])
                if choices and isinstance(out[name], dict):
                    out[name] = {k: _fold(v, choices) for k, v in out[name].items()}
                continue
            if choices := _choices(annotation):
                out[name] = _fold(out[name], choices)
            elif Path in (annotation, *get_args(annotation)) and isinstance(out[name], str):
                out[name] = Path(out[name])  # TOML has no path type; strict mode wants one
        return out


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
        "LSO", description="Country of residence preselected for citizens (ISO 3166 alpha-3)."
    )

    @field_validator("default_residence", mode="before")
    @classmethod
    def _residence(cls, v: Any) -> Any:
        if not isinstance(v, str):
            return v
        code = v.strip().upper()
        if not is_country_code(code):
            raise ValueError("must be a three-letter country code (ISO 3166 alpha-3), e.g. LSO "
                             "for Lesotho or ZAF for South Africa")
        return code


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
    baud: int = Field(9600, description="Baud rate: a standard rate such as 9600 or 115200.")
    bytesize: Literal[5, 6, 7, 8] = Field(8, description="Data bits.")
    parity: Literal["N", "E", "O", "M", "S"] = Field("N", description="Parity: N, E, O, M, S.")
    stopbits: int | float = Field(1, description="Stop bits: 1, 1.5 or 2.")

    @field_validator("baud")
    @classmethod
    def _baud(cls, v: int) -> int:
        if v not in BAUD_RATES:
            raise ValueError("must be a standard baud rate: "
                             + ", ".join(str(b) for b in BAUD_RATES))
        return v

    @field_validator("stopbits", mode="before")
    @classmethod
    def _stopbits(cls, v: Any) -> Any:
        # 1.0 and 2.0 are the same stop bits as 1 and 2; keep them ints so `config show` and
        # pyserial see 1, not 1.0
        if isinstance(v, float) and v in (1.0, 2.0):
            return int(v)
        return v

    @field_validator("stopbits")
    @classmethod
    def _stopbits_allowed(cls, v: float) -> float:
        if v not in (1, 1.5, 2) or isinstance(v, bool):
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
    ml_anchor: Path | None = Field(
        None,
        description="Trust anchor (certificate file or folder) a master list's own signer must "
        "chain to; an unsigned or untrusted master list adds no CSCA.",
    )
    crl_path: Path | None = Field(
        None,
        description="Folder of CRLs (besides CRLs inside csca_path): a revoked document signer "
        "fails passive authentication.",
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
    receipts: bool = Field(
        False,
        description="Keep each forwarded record until the collector's receipt says it is "
        "committed centrally (re-sent otherwise); needs a collector that sends receipts.",
    )
    receipt_timeout_s: float = Field(
        60.0, gt=0, description="Wait for a receipt before the first re-send (doubles, jittered)."
    )
    receipt_attempts: int = Field(
        5, ge=1, description="Sends without a receipt before quarantine ('never receipted')."
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


class CollectorConfig(Strict):
    database: str = Field(
        "postgresql:///imdms?host=/var/run/postgresql",
        description="Central store: a postgresql:// URL (default: the local PostgreSQL over its "
        "unix socket, peer authentication as the service user; see docs/central.md), or a "
        "SQLite path for a single post or tests.",
    )
    share_group: str = Field("imdms-collectors", description="MQTT 5 shared-subscription group.")
    source: Literal["mqtt", "amqp"] = Field(
        "mqtt", description="Transport: 'mqtt' ([broker], Mosquitto) or 'amqp' (RabbitMQ queues)."
    )
    amqp_url: str = Field(
        "",
        description="amqp(s)://user@host:port/vhost (a cluster: comma-separated, one per node);"
        " the password comes from the amqp-password credential.",
    )
    suppress_below: int = Field(
        0, ge=0, description="Published tables blank cells with fewer than N people (0: off)."
    )
    private_key_credential: str = Field(
        "imdms-central.key",
        description="Credential name (or path) of the centre's X25519 private keys (PEM, the "
        "newest and every older one: rotation), which open sealed crossings.",
    )


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"


class ShiftConfig(Strict):
    days: list[Weekday] = Field(
        default_factory=lambda: list(WEEKDAYS), description="Weekdays the shift starts on."
    )
    start: str = Field("00:00", pattern=HHMM, description="Local start time HH:MM.")
    end: str = Field(
        "24:00", pattern=HHMM, description="Local end time HH:MM (before start: past midnight)."
    )
    email: list[str] = Field(default_factory=list, description="Addresses mailed by SMTP.")
    hook: str | None = Field(None, description="http(s) URL sent a JSON POST (SMS gateway).")

    @field_validator("email")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:  # no header injection through the roster
            if address.count("@") != 1 or any(c in address for c in " \t\r\n,;<>"):
                raise ValueError("an email address is name@domain, one per list item")
        return value

    @field_validator("hook")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("the hook is an http:// or https:// URL")
        return value


class SmtpConfig(Strict):
    host: str = Field("", description="SMTP server; empty: no email is sent.")
    port: int = Field(587, ge=1, le=65535, description="SMTP port (587 submission, 25 relay).")
    starttls: bool = Field(True, description="Upgrade to TLS with STARTTLS before sending.")
    username: str | None = Field(None, description="SMTP login; unset: no AUTH.")
    password_credential: str = Field(
        "imdms-smtp-password", description="Credential name (or path) of the SMTP password."
    )
    sender: str = Field("imdms-cases@localhost", description="From: address of notices.")
    timeout_s: float = Field(10.0, gt=0, description="Connect and command timeout.")


class HookConfig(Strict):
    timeout_s: float = Field(5.0, gt=0, description="HTTP hook connect and response timeout.")
    token_credential: str = Field(
        "imdms-hook-token",
        description="Credential name (or path) of a bearer token sent to hooks (absent: none).",
    )


class CasesConfig(Strict):
    roster: dict[str, list[ShiftConfig]] | None = Field(
        None,
        description="On-duty roster, per receiving unit: [[cases.roster.SOCIAL_WELFARE]] "
        "tables with days, start, end, email, hook (docs/tracing.md, 'Case lifecycle'); "
        "unset: no one is notified and every case shows it.",
    )
    utc_offset_minutes: int = Field(
        120, ge=-720, le=840, description="The roster's local time (Lesotho: UTC+2)."
    )
    attempts: int = Field(8, ge=1, le=100, description="Sends of a notice before it fails.")
    retry_min_s: float = Field(30.0, gt=0, description="First retry delay (then doubling).")
    retry_max_s: float = Field(3600.0, gt=0, description="Longest retry delay.")
    smtp: SmtpConfig = Field(default_factory=SmtpConfig, description="Email notices.")
    hook: HookConfig = Field(default_factory=HookConfig, description="HTTP hook notices.")

    @field_validator("roster", mode="before")
    @classmethod
    def _units(cls, value: Any) -> Any:
        from records.codes import ReceivingUnit

        if not isinstance(value, dict):
            return value
        known = {u.value for u in ReceivingUnit}
        out = {}
        for unit, shifts in value.items():
            name = str(unit).strip().upper()
            if name not in known:
                raise ValueError(f"unknown unit {unit!r}; one of {', '.join(sorted(known))}")
            out[name] = shifts
        return out


class RetentionConfig(Strict):
    """How long the centre keeps each kind of data (`imdms purge`, run daily by a timer).

    Days from the crossing (or the audit row); the defaults follow the EU Entry/Exit System:
    3 years, 5 with an overstay."""

    crossings_days: int = Field(
        1096, ge=1, description="Crossings (every version, their indicators and trace index "
        "rows): 3 years after the crossing."
    )
    overstay_days: int = Field(
        1827, ge=1, description="Crossings of a stay that exceeded its intended days (the "
        "entry and its exit, trace flag OVERSTAY): 5 years."
    )
    cases_days: int = Field(
        3653, ge=1, description="Crossings referred to a receiving unit or with trafficking "
        "indicators (a case may go to court): 10 years."
    )
    photos_days: int = Field(
        1096, ge=1, description="Photos kept at the centre (booth photos, chip faces); a "
        "deleted crossing's go with it: 3 years."
    )
    audit_days: int = Field(
        4018, ge=1, description="Audit log rows (booth events, central views, purges): 11 "
        "years, longer than any data they account for."
    )

    @model_validator(mode="after")
    def _audit_outlives_data(self) -> RetentionConfig:
        longest = max(self.crossings_days, self.overstay_days, self.cases_days, self.photos_days)
        if self.audit_days < longest:
            raise ValueError(
                f"audit_days ({self.audit_days}) is shorter than the data it accounts for "
                f"({longest} days): who saw a record must stay known while the record exists"
            )
        return self


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
    seal: SealConfig = Field(
        default_factory=SealConfig, description="Sealing personal data to the centre."
    )
    watchlist: WatchlistConfig = Field(
        default_factory=WatchlistConfig, description="The signed national watchlist."
    )
    directory: DirectoryConfig = Field(
        default_factory=DirectoryConfig,
        description="Officers and terminals managed centrally (signed directory, CRL).",
    )
    logging: LoggingConfig = Field(default_factory=LoggingConfig, description="Logging.")
    collector: CollectorConfig = Field(
        default_factory=CollectorConfig, description="Central collector (imdms collect)."
    )
    cases: CasesConfig = Field(
        default_factory=CasesConfig, description="Central referral cases and their notices."
    )
    retention: RetentionConfig = Field(
        default_factory=RetentionConfig, description="Central retention (imdms purge)."
    )

    def directory_path(self) -> Path:
        return self.directory.file or self.terminal.data_dir / "officer-directory.json"

    def outbox_path(self) -> Path:
        return self.outbox.path or self.terminal.data_dir / "outbox.sqlite3"
