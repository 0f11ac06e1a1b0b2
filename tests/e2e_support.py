"""Helpers for end-to-end tests of the real studybot against the loopback Discord.

`running_studybot(fake, tmp_path)` runs the real `StudyBot` in this event loop (real service,
the default deck, a temporary database); `studybot_process(...)` / `studybot_argv()` run
`studybot run` as a separate process with the environment pointing at the fake.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App, open_app
from bot.app.daily import DailyCycle
from bot.clock import Clock
from bot.config import Settings
from bot.discord_app.bot import INITIAL_EXTENSIONS, StudyBot
from bot.discord_app.launcher import create_bot
from bot.store import Store
from tests.conftest import ALIASES_FILE, DEFAULT_NOTES, REPO_ROOT
from tests.loopback import (
    BotProcess,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    InteractionResult,
    StoredMessage,
    run_in_process,
)

GUILD_READY_TIMEOUT = 0.05


def e2e_settings(fake: FakeDiscord, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a bot on `fake`: the default deck, a temp DB, no `.env` file read."""
    values: dict[str, Any] = {
        "discord_token": fake.token,
        "notes": DEFAULT_NOTES,
        "db": tmp_path / "studybot.db",
        "aliases": ALIASES_FILE,
        "timezone": "Asia/Seoul",
        "discord_api_base": fake.api_base,
        "discord_gateway_url": fake.gateway_url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def studybot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for `studybot run` besides the three the fake supplies (token, API, gateway)."""
    return {
        "STUDYBOT_DB": str(tmp_path / "studybot.db"),
        "STUDYBOT_NOTES": str(DEFAULT_NOTES),
        "STUDYBOT_ALIASES": str(ALIASES_FILE),
        "STUDYBOT_LOG_LEVEL": "INFO",
        **extra,
    }


def studybot_argv(*args: str) -> list[str]:
    """`studybot <args>` from this interpreter's environment (the project's venv)."""
    script = Path(sys.executable).parent / "studybot"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "bot", *args]


RECOVERED = r"daily quiz: recovery done"  # logged by `studybot run` once start-up recovery ran


async def start_studybot(bot_process: Callable[..., BotProcess], tmp_path: Path, **env: str) -> BotProcess:
    """`studybot run` on the database in `tmp_path` (extra environment in `env`), once its
    start-up recovery has run; `bot_process` is the fixture of tests/loopback/fixtures.py."""
    proc = bot_process(studybot_argv("run"), env=studybot_env(tmp_path, **env))
    await proc.start(ready_line=RECOVERED)
    return proc


async def set_daily_schedule(fake: FakeDiscord, guild: FakeGuild | None = None,
                             channel: FakeChannel | None = None) -> None:
    """`/dailyadmin set` in `channel` (the guild's text channel) for a UTC time 12 hours away, so no
    scheduled post interferes with a test."""
    g = guild or fake.guild
    later = datetime.now(UTC) + timedelta(hours=12)
    done = await fake.slash(g, g.admin, "dailyadmin", "set", channel=channel or g.text_channel,
                            time=f"{later:%H:%M}", timezone="UTC")
    assert "every day at" in embed_text(reply_message(done)), done


async def post_daily_question(fake: FakeDiscord, guild: FakeGuild | None = None) -> tuple[StoredMessage, int]:
    """`set_daily_schedule`, then `/dailyadmin now`: one open post in the guild's text channel."""
    g = guild or fake.guild
    await set_daily_schedule(fake, g)
    posted = await fake.slash(g, g.admin, "dailyadmin", "now")
    assert "unchanged" in reply_message(posted).content, posted
    post = await fake.wait_for_message(is_daily_post, channel=g.text_channel)
    return post, post_id_of(post)


def stored_answers(db: Path, post_id: int | None = None) -> list[int]:
    """The user ids with an answer (to the post, or to any), read straight from the database
    file; WAL means this never waits for a running bot."""
    where, params = ("WHERE post_id = ?", (post_id,)) if post_id is not None else ("", ())
    with sqlite3.connect(db) as conn:
        return [int(row[0]) for row in conn.execute(f"SELECT user_id FROM answers {where}", params)]


@dataclass
class RunningBot:
    """The running bot and its application, and a store of the test's own on the same database
    file, to set up and inspect what the bot did (the application has no store to hand out)."""

    bot: StudyBot
    app: App
    fake: FakeDiscord
    store: Store


@asynccontextmanager
async def running_studybot(
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    extensions: Sequence[str] = INITIAL_EXTENSIONS,
    **settings_overrides: Any,
) -> AsyncIterator[RunningBot]:
    """The real bot, connected to `fake` and ready; closed (scheduler, store too) on exit."""
    settings = e2e_settings(fake, tmp_path, **settings_overrides)
    async with open_app(settings, clock=clock) as app:

        def factory() -> StudyBot:
            return create_bot(app, extensions=extensions, guild_ready_timeout=GUILD_READY_TIMEOUT)

        async with await Store.open(settings.db, clock=app.clock, default_timezone=settings.timezone) as store:
            async with run_in_process(fake, factory) as bot:
                yield RunningBot(bot=bot, app=app, fake=fake, store=store)


def daily_cycle(run: RunningBot) -> DailyCycle:
    """The application's daily cycle, which the Daily cog started by attaching its port."""
    assert run.bot.get_cog("Daily") is not None, "cogs.daily did not load"
    return run.app.daily


def reply_message(result: InteractionResult) -> StoredMessage:
    """The message a user sees for an interaction: the original response or its first followup."""
    if result.message is not None and (result.message.embeds or result.message.content or result.message.components):
        return result.message
    if result.followup_messages:
        return result.followup_messages[0]
    if result.message is not None:
        return result.message
    raise AssertionError(f"the bot sent no message:\n{result}")


def embed_text(message: StoredMessage) -> str:
    """Everything readable in a message: content, embed titles, descriptions, fields, footers."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def custom_ids(message: StoredMessage, prefix: str = "") -> list[str]:
    return [c for c in message.custom_ids() if c.startswith(prefix)]


DAILY_ID = re.compile(r"^daily:(\d+):(\d)$")


def answer_buttons(message: StoredMessage) -> list[str]:
    """The enabled-or-not A–D answer buttons of a daily post (not the disabled reveal ones)."""
    return [c for c in message.custom_ids() if DAILY_ID.match(c)]


def post_id_of(message: StoredMessage) -> int:
    match = DAILY_ID.match(answer_buttons(message)[0])
    assert match
    return int(match.group(1))


def is_daily_post(message: StoredMessage) -> bool:
    return bool(answer_buttons(message))


__all__ = [
    "REPO_ROOT",
    "RunningBot",
    "DAILY_ID",
    "RECOVERED",
    "answer_buttons",
    "custom_ids",
    "daily_cycle",
    "e2e_settings",
    "embed_text",
    "is_daily_post",
    "post_daily_question",
    "post_id_of",
    "reply_message",
    "running_studybot",
    "set_daily_schedule",
    "start_studybot",
    "stored_answers",
    "studybot_argv",
    "studybot_env",
]
