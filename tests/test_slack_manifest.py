"""`studybot slack-manifest`: the YAML a newcomer pastes at app creation."""

from __future__ import annotations

import io

import yaml

from bot.cli import main

# Every Web API method the bot calls with its bot token, and the scope Slack asks for it
# (docs.slack.dev method pages); `views.open`, `auth.test` need none.
NEEDED = {"commands", "chat:write", "users:read"}
JUSTIFIED = NEEDED | {"chat:write.public"}  # posting the daily quiz in a public channel the bot is not in
COMMANDS = {"/define", "/search", "/quiz", "/stats", "/leaderboard", "/daily", "/review"}


def printed(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["slack-manifest", *args], out=out)
    return status, out.getvalue()


def test_the_manifest_is_yaml_with_every_command_escaped() -> None:
    status, text = printed()
    data = yaml.safe_load(text)
    commands = data["features"]["slash_commands"]
    assert status == 0
    assert {c["command"] for c in commands} == COMMANDS
    assert all(c["should_escape"] is True for c in commands)
    assert all(c["description"] and len(c["description"]) <= 100 for c in commands)


def test_the_manifest_asks_for_the_scopes_it_calls_and_no_more() -> None:
    scopes = set(yaml.safe_load(printed()[1])["oauth_config"]["scopes"]["bot"])
    assert NEEDED <= scopes <= JUSTIFIED


def test_socket_mode_and_interactivity_are_on_by_default() -> None:
    settings = yaml.safe_load(printed()[1])["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True


def test_the_type_ahead_lookup_has_a_global_shortcut() -> None:
    shortcuts = yaml.safe_load(printed()[1])["features"]["shortcuts"]
    assert [(s["type"], s["callback_id"]) for s in shortcuts] == [("global", "lookup")]


def test_an_http_mode_manifest_points_every_request_at_the_url() -> None:
    url = "https://bot.example.org/slack/events"
    data = yaml.safe_load(printed("--url", url)[1])
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["interactivity"]["request_url"] == url
    assert data["settings"]["interactivity"]["message_menu_options_url"] == url
    assert {c["url"] for c in data["features"]["slash_commands"]} == {url}


def test_an_http_mode_url_that_is_not_https_is_refused(capsys) -> None:
    status, text = printed("--url", "http://bot.example.org/slack/events")
    assert status == 2 and text == ""
    assert "https" in capsys.readouterr().err
