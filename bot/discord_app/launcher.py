"""The launcher: sets up logging, opens the application (`bot.app.open_app`) and runs the bot.

Everything with side effects is made by `open_app` and injected into `StudyBot`; on the way out
(SIGINT, SIGTERM, a login failure or a crash) the scheduler is stopped and the store closed. Two optional
settings point discord.py at another Discord endpoint, as API and gateway proxies need:
`DISCORD_API_BASE` (REST) and `DISCORD_GATEWAY_URL` (gateway). With `STUDYBOT_SHARDS` the bot is a
`ShardedStudyBot` over those shards (`studybot run` registers them first: `bot.runner`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.app import App, open_app
from bot.app.records import StoreError
from bot.clock import Clock
from bot.config import DEFAULT_API_BASE, Settings
from bot.discord_app.bot import ShardedStudyBot, StudyBot
from bot.discord_app.pacing import SendPacer
from bot.logs import setup_logging

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py's REST routes and gateway at the configured endpoints (or Discord's)."""
    discord.http.Route.BASE = settings.discord_api_base or DEFAULT_API_BASE
    gateway = settings.discord_gateway_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway) if gateway else DEFAULT_GATEWAY


def create_bot(app: App, **options: Any) -> StudyBot:
    """The Discord bot over the application's services: over the configured shards only when
    `STUDYBOT_SHARDS` / `--shards` is set, its sends paced for its share of the bot."""
    shards = app.settings.shard_range
    options.setdefault("pacer", SendPacer.for_share(shards.share))
    if app.settings.shards is not None:
        return ShardedStudyBot(shards=shards, settings=app.settings, study=app.study, daily=app.daily,
                               clock=app.clock, present=app.present, **options)
    return StudyBot(settings=app.settings, study=app.study, daily=app.daily, clock=app.clock, present=app.present,
                    **options)


async def serve(
    settings: Settings,
    *,
    token: str,
    clock: Clock | None = None,
    force_sync: bool = False,
    exit_after_sync: bool = False,
    handle_signals: bool = True,
    **bot_options: Any,
) -> int:
    """Run the bot until it is closed (or until the commands are synced); returns an exit code."""
    configure_endpoints(settings)
    try:
        async with open_app(settings, clock=clock) as app:
            # What exists now (the deck, glossary and question bank, the imported modules) lives
            # as long as the process: keep it out of the collector's full passes, which would
            # otherwise pause a click burst for about 0.1 s each.
            gc.collect()
            gc.freeze()
            bot = create_bot(app, force_sync=force_sync, **bot_options)
            return await _run(bot, token, exit_after_sync=exit_after_sync, handle_signals=handle_signals)
    except StoreError as exc:
        log.error("%s", exc)
        return EXIT_FAILURE


async def _run(bot: StudyBot, token: str, *, exit_after_sync: bool, handle_signals: bool) -> int:
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def on_signal(sig: signal.Signals) -> None:
        log.info("received %s, shutting down", sig.name)
        stopping.append(loop.create_task(bot.close(), name="studybot-shutdown"))

    installed = []
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, on_signal, sig)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
                pass
    try:
        async with bot:
            if exit_after_sync:
                await bot.login(token)  # runs setup_hook, which syncs
                failed = bot.sync_error is not None or bot.sync_outcome is None
                return EXIT_FAILURE if failed else EXIT_OK
            await bot.start(token)
        return EXIT_OK
    except discord.LoginFailure:
        log.error("Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN.")
        return EXIT_FAILURE
    except (aiohttp.ClientConnectionError, OSError) as exc:
        log.error("cannot reach Discord at %s: %s", discord.http.Route.BASE, exc)
        return EXIT_FAILURE
    except discord.HTTPException as exc:
        log.error("Discord refused a start-up request: %s", exc)
        return EXIT_FAILURE
    except Exception:
        log.exception("the bot stopped on an unexpected error")
        return EXIT_FAILURE
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        if stopping:
            await asyncio.gather(*stopping, return_exceptions=True)


def run_bot(settings: Settings, *, force_sync: bool = False, exit_after_sync: bool = False) -> int:
    """`studybot run` / `studybot sync`: the exit code of one run of the bot."""
    if settings.discord_token is None:
        print(
            "studybot: DISCORD_TOKEN is not set; put the bot token in the environment or in .env.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    token = settings.discord_token.get_secret_value()
    setup_logging(settings.log_level, secrets=[token])
    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            return runner.run(serve(settings, token=token, force_sync=force_sync, exit_after_sync=exit_after_sync))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (not on Windows), else asyncio's default."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


async def run_on(bot: StudyBot, token: str) -> int:
    """Run a bot made by `create_bot` until it is closed, leaving signals to the caller: how
    `studybot run` (`bot.runner`) runs Discord beside other front ends in one process."""
    return await _run(bot, token, exit_after_sync=False, handle_signals=False)
