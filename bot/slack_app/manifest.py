"""The Slack app manifest `studybot slack-manifest` prints, to paste at app creation.

It declares the slash commands (each with `should_escape: true`, so a channel arrives as
`<#C123|name>` and a member as `<@U123|name>`), the global shortcut of the type-ahead lookup,
interactivity, Socket Mode, and the bot scopes of the Web API methods the bot calls, no more:

| scope | for |
|---|---|
| `commands` | the slash commands and the shortcut |
| `chat:write` | `chat.postMessage` (daily posts, reminders), `chat.update` (reveals), `chat.postEphemeral` (replies when a `response_url` is used up) |
| `chat:write.public` | posting the daily quiz in a public channel the bot was not invited to |
| `users:read` | `users.info` with `include_locale` (a member's language and admin role) |

`views.open` (modals), `auth.test` and `apps.connections.open` (with the app-level token, scope
`connections:write`, made on the Basic Information page) need no bot scope. With `url` given, the
manifest is for HTTP mode instead: Socket Mode off, and every request URL set to it.
"""

from __future__ import annotations

from typing import Any

import yaml

BOT_SCOPES: tuple[str, ...] = ("commands", "chat:write", "chat:write.public", "users:read")
SHORTCUT_CALLBACK = "lookup"

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("/define", "Look up a term in the study notes (Korean or English, typos welcome)", "TERM"),
    ("/search", "Search inside the definitions", "WORDS"),
    ("/quiz", "A personal practice question (only you see it)", "[TOPIC]"),
    ("/stats", "Your answers, accuracy, points, streaks and rank", "[@member]"),
    ("/leaderboard", "This workspace's leaderboard", "[week|month|all] [daily|practice]"),
    ("/daily", "The daily channel quiz: set, now and stop (admins), status (everyone)",
     "set #channel HH:MM [Area/Zone] [topic] | now | stop | status"),
    ("/review", "Your due cards first, then new entries; daily reminders on request",
     "[flash|type] | remind on HH:MM [Area/Zone] | remind off"),
)


def manifest(*, name: str = "studybot", url: str | None = None, scopes: tuple[str, ...] = BOT_SCOPES) -> dict[str, Any]:
    """The manifest as data: Socket Mode, or HTTP mode with every request URL set to `url`."""
    commands = []
    for command, description, hint in COMMANDS:
        item: dict[str, Any] = {"command": command, "description": description, "usage_hint": hint,
                                "should_escape": True}
        if url:
            item["url"] = url
        commands.append(item)
    interactivity: dict[str, Any] = {"is_enabled": True}
    if url:
        interactivity["request_url"] = url
        interactivity["message_menu_options_url"] = url
    return {
        "display_information": {
            "name": name,
            "description": "Your study group's notes as a glossary, quizzes, a daily question and leaderboards.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {"home_tab_enabled": False, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": True},
            "bot_user": {"display_name": name, "always_online": True},
            "shortcuts": [{"name": "Look up a term", "type": "global", "callback_id": SHORTCUT_CALLBACK,
                           "description": "Look a term up as you type"}],
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(scopes)}},
        "settings": {
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(*, name: str = "studybot", url: str | None = None) -> str:
    """The manifest as YAML, with a comment saying where to paste it."""
    mode = f"HTTP mode (requests to {url})" if url else "Socket Mode"
    head = (f"# studybot's Slack app manifest, {mode}.\n"
            "# api.slack.com/apps -> Create New App -> From a manifest -> paste this.\n")
    return head + yaml.safe_dump(manifest(name=name, url=url), sort_keys=False, allow_unicode=True, width=120)


__all__ = ["BOT_SCOPES", "COMMANDS", "SHORTCUT_CALLBACK", "manifest", "manifest_yaml"]
