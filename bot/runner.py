"""`studybot run`: every configured front end in one process, on one application and one database.

* Discord when DISCORD_TOKEN is set (a call into `bot.discord_app.launcher`, which owns the
  Discord client's set-up);
* Slack in Socket Mode when SLACK_BOT_TOKEN and SLACK_APP_TOKEN are set, or in HTTP mode on
  STUDYBOT_HTTP_PORT when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set instead
  (`bot.slack_app.serve`).

All of them share the `App` that `open_app` opens once (store, study service, daily cycle and
its scheduler), so a Discord server and a Slack workspace are two communities of one database.
SIGTERM and SIGINT stop every front end, then the scheduler and the store, and the process exits
0; a front end that cannot start (a rejected token, a port in use) stops the others and exits 1.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import App, open_app
from bot.app.processes import ShardOverlap
from bot.app.records import StoreError
from bot.clock import Clock
from bot.config import Settings
from bot.logs import setup_logging

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
STOP_TIMEOUT = 8.0  # seconds every front end gets to close before the process leaves anyway


def configured(settings: Settings) -> list[str]:
    """The front ends the settings configure: "discord", "slack"."""
    found = []
    if settings.discord_token is not None:
        found.append("discord")
    if settings.slack_mode in ("socket", "http"):
        found.append("slack")
    return found


def usage_problem(settings: Settings) -> str | None:
    """Why `studybot run` cannot start, in one sentence; None when it can."""
    if settings.slack_mode == "incomplete":
        return ("SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET "
                "(HTTP mode) is.")
    if not configured(settings):
        return ("no front end is configured: set DISCORD_TOKEN, or SLACK_BOT_TOKEN with SLACK_APP_TOKEN or "
                "SLACK_SIGNING_SECRET (in the environment or .env).")
    return None


def run(settings: Settings, **discord_options: Any) -> int:
    """`studybot run`: the exit code of one run of every configured front end; `discord_options`
    go to the Discord bot (`bot.discord_app.launcher.create_bot`), e.g. its shards."""
    problem = usage_problem(settings)
    if problem is not None:
        print(f"studybot: {problem}", file=sys.stderr)
        return EXIT_USAGE
    setup_logging(settings.log_level, secrets=settings.secrets())
    from bot.discord_app.launcher import event_loop_factory

    try:
        with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
            return runner.run(serve(settings, discord_options=discord_options))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


async def serve(settings: Settings, *, clock: Clock | None = None, handle_signals: bool = True,
                stop: asyncio.Event | None = None, discord_options: dict[str, Any] | None = None) -> int:
    """Open the application, start every configured front end, run until a signal (or `stop`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, _on_signal, sig, stop)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
                pass
    try:
        # Before any front end connects, the process registers the shards it serves (all without
        # STUDYBOT_SHARDS); a live process on overlapping shards stops it here (bot.app.processes).
        async with open_app(settings, clock=clock) as app, \
                app.processes.hold(settings.shard_range, allow_overlap=settings.allow_overlap):
            await _replay_answer_journal(app)
            # The deck, glossary and question bank live as long as the process: keep them out of
            # the collector's full passes (see bot.discord_app.launcher).
            gc.collect()
            gc.freeze()
            return await _run_front_ends(app, settings, stop, discord_options or {})
    except StoreError as exc:
        log.error("%s", exc)
        return EXIT_FAILURE
    except ShardOverlap as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _replay_answer_journal(app: App) -> None:
    """Store the clicks a killed predecessor acknowledged before their commit (bot.app.ledger),
    before any front end takes new ones. A database out of reach keeps the journal for the next
    start instead of stopping this one."""
    try:
        await app.answers.replay()
    except Exception:  # noqa: BLE001 - the journal stays as it is and is replayed next time
        log.exception("could not replay the answer journal %s; it is kept for the next start",
                      app.answers.journal)


def _on_signal(sig: signal.Signals, stop: asyncio.Event) -> None:
    log.info("received %s, shutting down", sig.name)
    stop.set()


async def _run_front_ends(app: App, settings: Settings, stop: asyncio.Event, discord_options: dict[str, Any]) -> int:
    stoppers: list[Callable[[], Awaitable[Any]]] = []
    running: dict[str, asyncio.Task[int]] = {}
    status = EXIT_OK
    try:
        if settings.slack_mode in ("socket", "http"):
            from bot.slack_app.serve import SlackService, SlackStartError

            slack = SlackService(app, settings)
            stoppers.append(slack.stop)
            try:
                await slack.start()
            except SlackStartError as exc:
                log.error("%s", exc)
                return EXIT_FAILURE
        if settings.discord_token is not None:
            running["discord"] = asyncio.ensure_future(_discord(app, settings, stoppers, discord_options))
        waiting = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({waiting, *running.values()}, return_when=asyncio.FIRST_COMPLETED)
        for name, task in running.items():
            if task in done and not stop.is_set():
                status = task.result() if not task.cancelled() else EXIT_FAILURE
                log.error("the %s front end stopped (exit %d); stopping the others", name, status)
                status = status or EXIT_FAILURE
        waiting.cancel()
        return status
    finally:
        await _stop_all(stoppers, running)


async def _discord(app: App, settings: Settings, stoppers: list[Callable[[], Awaitable[Any]]],
                   options: dict[str, Any]) -> int:
    """The Discord bot over the shared application, through the Discord launcher."""
    from bot.discord_app import launcher

    launcher.configure_endpoints(settings)
    token = settings.discord_token
    assert token is not None
    bot = launcher.create_bot(app, **options)
    stoppers.append(bot.close)
    return await launcher.run_on(bot, token.get_secret_value())


async def _stop_all(stoppers: list[Callable[[], Awaitable[Any]]], running: dict[str, asyncio.Task[int]]) -> None:
    """Every front end's stop, at once, bounded by STOP_TIMEOUT; then their tasks end."""
    jobs = [asyncio.ensure_future(s()) for s in reversed(stoppers)]
    if jobs:
        _done, late = await asyncio.wait(jobs, timeout=STOP_TIMEOUT)
        for job in late:
            job.cancel()
        for job in jobs:
            if job.done() and not job.cancelled() and job.exception() is not None:
                log.warning("a front end did not stop cleanly: %s", job.exception())
    tasks = list(running.values())
    if tasks:
        _done, late = await asyncio.wait(tasks, timeout=STOP_TIMEOUT / 4)
        for task in late:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
