"""Settings read from the environment and a `.env` file (pydantic-settings).

`load_settings()` turns any invalid value into a `ConfigError` whose message is one sentence
naming the variable, so the command line can print it instead of a traceback.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.shards import ShardRange, parse_shards

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_HTTP_PORT = 3000
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_SLACK_TOKEN_KINDS = {
    "slack_bot_token": ("xoxb-", "the bot token (OAuth & Permissions page)"),
    "slack_app_token": ("xapp-", "an app-level token with connections:write (Basic Information page)"),
}


class ConfigError(Exception):
    """A setting is missing or invalid; the message is meant for the user as is."""


def _env(name: str) -> Any:
    # Accept the environment name and the Python field name (for Settings(notes=...) in code).
    return AliasChoices(name, name.lower().removeprefix("studybot_"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        case_sensitive=False,
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_TOKEN"))
    notes: Path = Field(default=Path("data/notes"), validation_alias=_env("STUDYBOT_NOTES"))
    # A SQLite file (Path) or a PostgreSQL URL (str); see `bot.store.backend.open_store`.
    db: Path | str = Field(default=Path("data/studybot.db"), validation_alias=_env("STUDYBOT_DB"))
    aliases: Path = Field(
        default=Path("data/aliases.yaml"), validation_alias=_env("STUDYBOT_ALIASES")
    )
    timezone: str = Field(default="Asia/Seoul", validation_alias=_env("STUDYBOT_TIMEZONE"))
    log_level: str = Field(default="INFO", validation_alias=_env("STUDYBOT_LOG_LEVEL"))
    daily_grace_hours: float = Field(
        default=3.0, ge=0, le=23, validation_alias=_env("STUDYBOT_DAILY_GRACE_HOURS")
    )
    # How often the daily sweep retries unsent posts and missed reveals (and reveals due posts).
    daily_sweep_seconds: int = Field(
        default=60, ge=1, le=3600, validation_alias=_env("STUDYBOT_DAILY_SWEEP_SECONDS")
    )
    discord_api_base: str = Field(
        default=DEFAULT_API_BASE, validation_alias=_env("DISCORD_API_BASE")
    )
    discord_gateway_url: str | None = Field(
        default=None, validation_alias=_env("DISCORD_GATEWAY_URL")
    )
    discord_dev_guild: int | None = Field(
        default=None, validation_alias=_env("DISCORD_DEV_GUILD")
    )
    # The shards this process serves, `FIRST-LAST/COUNT` (bot/shards.py); None: all of them.
    shards: str | None = Field(default=None, validation_alias=_env("STUDYBOT_SHARDS"))
    # Start even when a live process serves overlapping shards (during a rescale).
    allow_overlap: bool = Field(default=False, validation_alias=_env("STUDYBOT_ALLOW_OVERLAP"))
    # Where answers acknowledged before they were committed are journaled (bot/app/ledger.py);
    # None: beside the SQLite file, or data/ for PostgreSQL (see `answer_journal`).
    journal: Path | None = Field(default=None, validation_alias=_env("STUDYBOT_JOURNAL"))

    # Slack: a bot token (xoxb-) with an app-level token (xapp-, Socket Mode) or a signing
    # secret (HTTP mode, served on STUDYBOT_HTTP_PORT); every Web API call goes to SLACK_API_URL.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, validation_alias=_env("SLACK_API_URL"))
    http_port: int = Field(default=DEFAULT_HTTP_PORT, ge=1, le=65535, validation_alias=_env("STUDYBOT_HTTP_PORT"))

    @field_validator("discord_token", "slack_bot_token", "slack_app_token", "slack_signing_secret", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("shards", mode="before")
    @classmethod
    def _shard_range(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return None if value is None else str(parse_shards(str(value)))

    @property
    def shard_range(self) -> ShardRange:
        """The shards this process serves (all of them without `shards`)."""
        return ShardRange.everything() if self.shards is None else parse_shards(self.shards)

    @property
    def answer_journal(self) -> Path:
        """This process's answer journal: `journal`, or by default `<db>.answers.jsonl` beside a
        SQLite file (`data/answers.jsonl` for PostgreSQL), named for the shards when the process
        serves only some, so two processes on one machine never share one."""
        if self.journal is not None:
            return self.journal
        shards = self.shard_range
        suffix = "" if shards.is_everything else f"-shards-{shards.first}-{shards.last}of{shards.count}"
        if isinstance(self.db, Path):
            return self.db.with_name(f"{self.db.stem}.answers{suffix}.jsonl")
        return Path("data") / f"answers{suffix}.jsonl"

    @field_validator("journal", mode="before")
    @classmethod
    def _blank_journal_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("discord_dev_guild", "discord_gateway_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("db", mode="before")
    @classmethod
    def _database_path(cls, value: Any) -> Any:
        """A file path or `sqlite:///path` (a Path), or a `postgresql://` URL (kept as text); any
        other URL is refused rather than taken for a relative path (`mysql://…` would otherwise
        create a folder named `mysql:`)."""
        if not isinstance(value, str):
            return value
        match = _URL_SCHEME.match(value)
        if match is None:
            return Path(value)
        scheme = match.group(1).lower()
        if scheme == "sqlite":
            path = value[match.end():]
            if not path.startswith("/"):
                raise ValueError(f"{value!r} is not a sqlite:/// URL; write sqlite:///path/to/file.db")
            return Path(path[1:])  # sqlite:///relative.db, sqlite:////absolute.db (SQLAlchemy's spelling)
        if scheme in ("postgresql", "postgres"):
            rest = value[match.end():]
            if not rest or rest.startswith(("/", "?")) and "host=" not in rest:
                raise ValueError("a PostgreSQL URL names its server: postgresql://user:password@host:port/database")
            return value
        raise ValueError(f"{scheme}:// databases are not supported: give a file path such as "
                         "data/studybot.db (or sqlite:///data/studybot.db) or a postgresql://user@host/database URL")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone such as Asia/Seoul or UTC") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError(f"{value!r} is not an http(s):// or ws(s):// URL")
        return value.rstrip("/") if value else value

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _slack_token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        prefix, what = _SLACK_TOKEN_KINDS[info.field_name or ""]
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"it must be {what}, which starts with {prefix}")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s):// URL")
        return value.rstrip("/") + "/"  # slack-sdk joins method names onto it

    @property
    def slack_mode(self) -> str | None:
        """How Slack is reached: "socket" (bot + app token), "http" (bot token + signing secret,
        no app token), "incomplete" (a bot token alone), or None (no Slack at all)."""
        if self.slack_bot_token is None:
            return None
        if self.slack_app_token is not None:
            return "socket"
        if self.slack_signing_secret is not None:
            return "http"
        return "incomplete"

    def secrets(self) -> list[str]:
        """Every token and secret that is set, for the log filter that keeps them out of logs."""
        found = (self.discord_token, self.slack_bot_token, self.slack_app_token, self.slack_signing_secret)
        return [s.get_secret_value() for s in found if s is not None]

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)


_ENV_NAMES = {
    "discord_token": "DISCORD_TOKEN",
    "notes": "STUDYBOT_NOTES",
    "db": "STUDYBOT_DB",
    "aliases": "STUDYBOT_ALIASES",
    "timezone": "STUDYBOT_TIMEZONE",
    "log_level": "STUDYBOT_LOG_LEVEL",
    "daily_grace_hours": "STUDYBOT_DAILY_GRACE_HOURS",
    "daily_sweep_seconds": "STUDYBOT_DAILY_SWEEP_SECONDS",
    "discord_api_base": "DISCORD_API_BASE",
    "discord_gateway_url": "DISCORD_GATEWAY_URL",
    "discord_dev_guild": "DISCORD_DEV_GUILD",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_api_url": "SLACK_API_URL",
    "http_port": "STUDYBOT_HTTP_PORT",
    "shards": "STUDYBOT_SHARDS (--shards)",
    "allow_overlap": "STUDYBOT_ALLOW_OVERLAP",
    "journal": "STUDYBOT_JOURNAL",
}


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`, with keyword overrides (e.g. from CLI flags)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        name = _ENV_NAMES.get(field, field)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name} is invalid: {message}.") from None
