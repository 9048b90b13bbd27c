"""The one settings object: the only reader of the environment (and of `.env`)."""

from __future__ import annotations

import os
import re
from datetime import time
from functools import cached_property
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REDACT_CHOICES = {"secrets", "emails", "ips"}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
DEFAULT_CONFIG = "incident-bot.yml"
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_LISTEN = re.compile(r"^(?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?([0-9]{1,5})$")
_TOKEN = re.compile(r"^[\x21-\x7e]{16,}$")  # printable ASCII, no spaces: fits a header


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""


def parse_duration(value: str | int) -> int:
    """`30m`, `1h`, `1d`, `0` (off) -> seconds; seconds pass through."""
    if isinstance(value, int):
        return value
    value = str(value).strip().lower()
    if value in ("0", "off", "none"):
        return 0
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a duration like 30m, 2h, 1d or off")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


# A duration setting: typed as `30m`, `2h`, `1d` or `off`, held as seconds (0 = off).
Seconds = Annotated[int, BeforeValidator(parse_duration)]


class Settings(BaseSettings):
    """Every environment variable incident-bot reads (see SPEC and README)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: str | None = None
    SLACK_SIGNING_SECRET: str | None = None
    SLACK_APP_TOKEN: str | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    DATABASE_URL: str = "sqlite:///incident-bot.db"
    OPENAI_API_KEY: str | None = None
    OPENAI_BASE_URL: str | None = None
    INCIDENT_AI_MODEL: str = "gpt-4o-mini"
    INCIDENT_AI_TIMEOUT: float = 30.0
    INCIDENT_AI_CONTEXT_BUDGET: int = 24000
    INCIDENT_ANNOUNCE_CHANNEL: str | None = None
    INCIDENT_DIGEST_CHANNEL: str | None = None
    INCIDENT_DIGEST_SCHEDULE: str = "mon 09:00"
    INCIDENT_TIMEZONE: str = "UTC"
    INCIDENT_CHANNEL_PREFIX: str = "inc"
    INCIDENT_CHANNEL_ECHO: Literal["channel", "thread"] = "channel"
    INCIDENT_TIMELINE_REACTION: str = "pushpin"
    INCIDENT_CAPTURE_PINS: bool = True
    INCIDENT_POSTMORTEM_TEMPLATE: str = "default"
    INCIDENT_POSTMORTEM_CANVAS: bool = False
    INCIDENT_REDACT: str = "secrets"
    INCIDENT_REMINDER_BEFORE: Seconds = Field(default="1d", validate_default=True)
    INCIDENT_REMINDER_OVERDUE_EVERY: Seconds = Field(default="7d", validate_default=True)
    INCIDENT_REMINDER_SWEEP: Seconds = Field(default="1m", validate_default=True)
    INCIDENT_REMINDER_CLAIM_TIMEOUT: Seconds = Field(default="2m", validate_default=True)
    INCIDENT_NUDGE_SEV1: Seconds = Field(default="30m", validate_default=True)
    INCIDENT_NUDGE_SEV2: Seconds = Field(default="60m", validate_default=True)
    INCIDENT_NUDGE_SEV3: Seconds = Field(default="off", validate_default=True)
    INCIDENT_NUDGE_SEV4: Seconds = Field(default="off", validate_default=True)
    INCIDENT_NUDGE_UNOWNED: Seconds = Field(default="1h", validate_default=True)
    # Stakeholder updates: remind the comms lead when none was posted for this long.
    INCIDENT_UPDATE_EVERY_SEV1: Seconds = Field(default="30m", validate_default=True)
    INCIDENT_UPDATE_EVERY_SEV2: Seconds = Field(default="1h", validate_default=True)
    INCIDENT_UPDATE_EVERY_SEV3: Seconds = Field(default="off", validate_default=True)
    INCIDENT_UPDATE_EVERY_SEV4: Seconds = Field(default="off", validate_default=True)
    PORT: int = Field(default=3000, ge=1, le=65535)
    INCIDENT_HTTP_THREADS: int = Field(default=16, ge=1, le=256)
    INCIDENT_WORKER_THREADS: int = Field(default=8, ge=1, le=256)
    INCIDENT_METRICS_PORT: str | None = None
    INCIDENT_METRICS_TOKEN: str | None = None
    INCIDENT_WORK_QUEUE_MAX: int = Field(default=200, ge=1, le=100000)
    INCIDENT_CONFIG: str | None = None
    INCIDENT_WEBHOOK_TOKEN: str | None = None
    INCIDENT_ALERT_CHANNEL: str | None = None
    INCIDENT_PAGERDUTY_SECRET: str | None = None
    INCIDENT_STATUS_PAGE: bool = False
    INCIDENT_STATUS_PAGE_TITLE: str = Field(default="System status", min_length=1, max_length=100)
    INCIDENT_STATUS_PAGE_LOGO_URL: str | None = None
    INCIDENT_STATUS_PAGE_HOME_URL: str | None = None
    INCIDENT_STATUS_PAGE_URL: str | None = None
    # Signs workflow webhooks (X-Incident-Bot-Signature); without it they go unsigned.
    INCIDENT_WORKFLOW_WEBHOOK_SECRET: str | None = None

    @field_validator("INCIDENT_TIMEZONE")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Europe/Berlin)") from exc
        return value

    @field_validator("INCIDENT_DIGEST_SCHEDULE")
    @classmethod
    def _schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value

    @field_validator("INCIDENT_REDACT")
    @classmethod
    def _redact(cls, value: str) -> str:
        parts = {p.strip() for p in value.split(",") if p.strip()}
        unknown = parts - REDACT_CHOICES
        if unknown or "secrets" not in parts:
            raise ValueError("must be 'secrets' optionally followed by ',emails' and/or ',ips'")
        return value

    @field_validator("INCIDENT_CHANNEL_PREFIX")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,20}", value):
            raise ValueError("must be 1-21 lowercase letters, digits, '-' or '_'")
        return value

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("INCIDENT_METRICS_PORT")
    @classmethod
    def _metrics_port(cls, value: str | None) -> str | None:
        if value is not None:
            parse_listen(value)
        return value

    @field_validator("INCIDENT_METRICS_TOKEN")
    @classmethod
    def _metrics_token(cls, value: str | None) -> str | None:
        # An empty token fails rather than leaving /metrics open by accident.
        if value is not None and not _TOKEN.match(value):
            raise ValueError(
                "must be at least 16 printable characters without spaces "
                "(e.g. the output of `openssl rand -hex 32`)"
            )
        return value

    @field_validator(
        "INCIDENT_WEBHOOK_TOKEN", "INCIDENT_PAGERDUTY_SECRET", "INCIDENT_WORKFLOW_WEBHOOK_SECRET"
    )
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and len(value.strip()) < 16:
            raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 32`)")
        return value.strip() if value is not None else None

    @field_validator(
        "INCIDENT_STATUS_PAGE_LOGO_URL", "INCIDENT_STATUS_PAGE_HOME_URL", "INCIDENT_STATUS_PAGE_URL"
    )
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        # Shown to the public as links: only absolute http(s) URLs (no javascript:, no data:).
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"']+", value.strip()):
            raise ValueError("must be an absolute http(s) URL such as https://example.com")
        return value.strip().rstrip("/") if value is not None else None

    @property
    def config_path(self) -> str | None:
        """INCIDENT_CONFIG, else ./incident-bot.yml when it exists, else None."""
        if self.INCIDENT_CONFIG:
            return self.INCIDENT_CONFIG
        return DEFAULT_CONFIG if os.path.exists(DEFAULT_CONFIG) else None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.INCIDENT_TIMEZONE)

    @property
    def digest_channel(self) -> str | None:
        return self.INCIDENT_DIGEST_CHANNEL or self.INCIDENT_ANNOUNCE_CHANNEL

    @property
    def metrics_listen(self) -> tuple[str, int] | None:
        """(host, port) of the separate /metrics listener, or None: /metrics on the public port."""
        return parse_listen(self.INCIDENT_METRICS_PORT) if self.INCIDENT_METRICS_PORT else None

    @property
    def redact(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.INCIDENT_REDACT.split(",") if p.strip())

    def require_slack(self, *, http: bool) -> None:
        """Stop start-up when what talking to Slack needs is absent."""
        if not self.SLACK_BOT_TOKEN:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: set it to the app's bot token (xoxb-…) "
                "from the Slack app's OAuth & Permissions page"
            )
        if http and not self.SLACK_SIGNING_SECRET:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it "
                "(Basic Information → App Credentials), or set SLACK_APP_TOKEN for Socket Mode"
            )

    def require_metrics_apart(self, http_port: int) -> None:
        """Stop start-up when the /metrics listener would take the public HTTP port."""
        listen = self.metrics_listen
        if listen is not None and listen[1] == http_port:
            raise ConfigError(
                f"INCIDENT_METRICS_PORT is the HTTP port {http_port}: give /metrics a port "
                "of its own (e.g. 9100), or unset it to serve /metrics on the HTTP port"
            )


def parse_listen(value: str) -> tuple[str, int]:
    """`9100` -> ("127.0.0.1", 9100); `0.0.0.0:9100`, `[::1]:9100` -> that host and port."""
    match = _LISTEN.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise ValueError(f"{value!r} is not PORT or HOST:PORT such as 9100 or 10.0.0.5:9100")
    return (match.group(1) or "127.0.0.1").strip("[]"), int(match.group(2))


def parse_schedule(value: str) -> tuple[str, time]:
    """`mon 09:00` -> ("mon", time(9, 0))."""
    parts = value.strip().lower().split()
    if len(parts) != 2 or parts[0][:3] not in DAYS or len(parts[0]) < 3:
        raise ValueError(f"{value!r} is not 'DAY HH:MM' such as 'mon 09:00'")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", parts[1])
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"{value!r} is not 'DAY HH:MM' such as 'mon 09:00'")
    return parts[0][:3], time(int(match.group(1)), int(match.group(2)))


def load_settings(**overrides: object) -> Settings:
    """Read and validate the environment; raise ConfigError with one clear line on failure."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = err["loc"][0] if err["loc"] else "configuration"
        msg = err["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name} is malformed: {msg}") from None
