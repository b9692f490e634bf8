"""The booth's own sections: `[terminal]`, the `[reader]` backends (a union discriminated by
`type`) and `[outbox]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from config.base import BAUD_RATES, CODE_PATTERN, Strict, is_country_code
from records.codes import Direction


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
