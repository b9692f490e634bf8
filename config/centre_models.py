"""The centre's sections: `[collector]`, `[cases]` (shifts, mail, hooks) and `[retention]`.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from config.base import Strict


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
