"""The terminal's configuration: one TOML file, validated by these models.

Every model forbids unknown keys (a typo must fail) and every field has a description, which
`config/terminal.example.toml` repeats. Each reader backend owns its `*Config`; `[reader]` is a
union discriminated by `type`.

The sections live in config/base.py, booth_models.py, link_models.py and centre_models.py;
this module assembles `Config` and re-exports every name, so `from config.models import X`
keeps working.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from config.base import (
    BAUD_RATES,
    CODE_PATTERN,
    PATTERN_WORDS,
    Strict,
    is_country_code,
)
from config.booth_models import (
    CameraConfig,
    ChipConfig,
    OutboxConfig,
    ReaderConfig,
    SerialMrzConfig,
    SimulatorConfig,
    TerminalConfig,
)
from config.centre_models import (
    HHMM,
    WEEKDAYS,
    CasesConfig,
    CollectorConfig,
    HookConfig,
    RetentionConfig,
    ShiftConfig,
    SmtpConfig,
    Weekday,
)
from config.link_models import (
    BrokerConfig,
    DirectoryConfig,
    LoggingConfig,
    SealConfig,
    TlsConfig,
    WatchlistConfig,
)
from records.codes import Direction

__all__ = [
    "BAUD_RATES",
    "BrokerConfig",
    "CODE_PATTERN",
    "CameraConfig",
    "CasesConfig",
    "ChipConfig",
    "CollectorConfig",
    "Config",
    "Direction",
    "DirectoryConfig",
    "HHMM",
    "HookConfig",
    "LoggingConfig",
    "OutboxConfig",
    "PATTERN_WORDS",
    "ReaderConfig",
    "RetentionConfig",
    "SealConfig",
    "SerialMrzConfig",
    "ShiftConfig",
    "SimulatorConfig",
    "SmtpConfig",
    "Strict",
    "TerminalConfig",
    "TlsConfig",
    "WEEKDAYS",
    "WatchlistConfig",
    "Weekday",
    "is_country_code",
]


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
