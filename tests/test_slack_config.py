"""Slack settings: the five variables, their defaults, one clear sentence for a wrong token, and
which front ends `studybot run` starts from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.runner import configured, usage_problem

SLACK_NAMES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "STUDYBOT_HTTP_PORT",
               "DISCORD_TOKEN")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in SLACK_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_slack_defaults_are_slacks_own_api_and_port_3000() -> None:
    settings = load_settings()
    assert settings.slack_bot_token is None and settings.slack_app_token is None
    assert settings.slack_signing_secret is None
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.http_port == 3000
    assert settings.slack_mode is None


def test_bot_and_app_token_mean_socket_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A1-xyz")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    settings = load_settings()
    assert settings.slack_mode == "socket"
    assert configured(settings) == ["slack"] and usage_problem(settings) is None


def test_bot_token_and_signing_secret_mean_http_mode_on_the_chosen_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret")
    monkeypatch.setenv("STUDYBOT_HTTP_PORT", "8099")
    settings = load_settings()
    assert settings.slack_mode == "http" and settings.http_port == 8099


def test_a_bot_token_alone_is_a_usage_problem_naming_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    settings = load_settings()
    problem = usage_problem(settings)
    assert settings.slack_mode == "incomplete" and configured(settings) == []
    assert problem is not None and "SLACK_APP_TOKEN" in problem and "SLACK_SIGNING_SECRET" in problem


def test_no_token_at_all_is_a_usage_problem() -> None:
    assert "DISCORD_TOKEN" in (usage_problem(load_settings()) or "")


def test_discord_and_slack_together_are_both_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A1-xyz")
    assert configured(load_settings()) == ["discord", "slack"]


@pytest.mark.parametrize(("name", "value", "hint"), [
    ("SLACK_BOT_TOKEN", "xapp-1-A1-xyz", "xoxb-"),
    ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
    ("SLACK_APP_TOKEN", "xoxb-1-2-abc", "xapp-"),
    ("SLACK_API_URL", "slack.com/api", "http"),
    ("STUDYBOT_HTTP_PORT", "70000", ""),
])
def test_a_wrong_slack_value_is_one_sentence_naming_the_variable(monkeypatch: pytest.MonkeyPatch, name: str,
                                                                 value: str, hint: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{name} is invalid") and hint in message
    assert value not in message or not value.startswith(("xox", "xapp"))  # a token is never echoed


def test_the_api_url_always_ends_in_one_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8123/api")
    assert load_settings().slack_api_url == "http://127.0.0.1:8123/api/"


def test_slack_secrets_never_show_in_the_settings_repr_and_are_listed_for_the_log_filter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-also-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    settings = load_settings()
    for secret in ("xoxb-very-secret", "xapp-also-secret", "signing-secret"):
        assert secret not in repr(settings)
        assert secret in settings.secrets()


def test_blank_slack_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", " ")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")
    settings = load_settings()
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
