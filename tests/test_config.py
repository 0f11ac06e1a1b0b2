"""Settings: defaults, the environment, a .env file, and one clear sentence for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ENV_NAMES = ("DISCORD_TOKEN", "STUDYBOT_NOTES", "STUDYBOT_DB", "STUDYBOT_TIMEZONE", "STUDYBOT_LOG_LEVEL",
             "DISCORD_API_BASE", "DISCORD_GATEWAY_URL", "DISCORD_DEV_GUILD", "STUDYBOT_DAILY_GRACE_HOURS")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_match_the_readme() -> None:
    settings = load_settings()
    assert settings.notes == Path("data/notes") and settings.db == Path("data/studybot.db")
    assert settings.discord_token is None and settings.timezone == "Asia/Seoul"
    assert settings.discord_api_base == "https://discord.com/api/v10"


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYBOT_DB", "/tmp/x.db")
    monkeypatch.setenv("STUDYBOT_TIMEZONE", "UTC")
    settings = load_settings()
    assert settings.db == Path("/tmp/x.db") and settings.timezone == "UTC"


def test_dot_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=abc.def.ghi\nSTUDYBOT_LOG_LEVEL=debug\n", encoding="utf-8")
    settings = load_settings()
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "abc.def.ghi"
    assert settings.log_level == "DEBUG"


def test_token_never_shows_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    settings = load_settings()
    assert "very-secret-token" not in repr(settings) and "very-secret-token" not in str(settings)


def test_blank_token_means_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert load_settings().discord_token is None


def test_cli_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYBOT_NOTES", "elsewhere")
    assert load_settings(notes=Path("mine")).notes == Path("mine")


@pytest.mark.parametrize(
    ("name", "value"),
    [("STUDYBOT_TIMEZONE", "Mars/Olympus"), ("STUDYBOT_LOG_LEVEL", "chatty"),
     ("DISCORD_DEV_GUILD", "my-server"), ("DISCORD_API_BASE", "discord.com"),
     ("STUDYBOT_DAILY_GRACE_HOURS", "-1")],
)
def test_bad_value_is_one_sentence_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} is invalid") and message.endswith(".") and "\n" not in message


def test_a_database_url_of_another_kind_is_refused_in_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYBOT_DB", "mysql://bot@db.example/studybot")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    message = str(caught.value)
    assert message.startswith("STUDYBOT_DB is invalid:") and "mysql://" in message and "\n" not in message
    assert "postgresql://" in message  # it says what would do


def test_a_postgresql_url_is_kept_as_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYBOT_DB", "postgresql://bot:secret@db.example:5433/studybot")
    assert load_settings(_env_file=None).db == "postgresql://bot:secret@db.example:5433/studybot"


def test_a_postgresql_url_without_a_server_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYBOT_DB", "postgresql://")
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert "user:password@host:port/database" in str(caught.value)


def test_a_sqlite_url_names_a_relative_or_absolute_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDYBOT_DB", "sqlite:///data/study.db")
    assert load_settings(_env_file=None).db == Path("data/study.db")
    monkeypatch.setenv("STUDYBOT_DB", "sqlite:////var/lib/studybot/study.db")
    assert load_settings(_env_file=None).db == Path("/var/lib/studybot/study.db")
