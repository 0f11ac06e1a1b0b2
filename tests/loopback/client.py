"""Run a bot against a `FakeDiscord`: in-process (fast) or as a separate OS process.

In-process: `async with run_in_process(fake, factory) as bot:` points discord.py's two knobs
(`Route.BASE`, `DiscordWebSocket.DEFAULT_GATEWAY`) at the fake, starts the bot as a task, waits
until it is ready, and on exit waits for in-flight handler tasks, closes it and restores the knobs.

Subprocess: `BotProcess(fake, argv, ...)` starts any command with DISCORD_TOKEN,
DISCORD_API_BASE and DISCORD_GATEWAY_URL pointing at the fake, captures its output to a file,
waits for its gateway session to be ready, and stops it with SIGTERM (or SIGKILL).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import signal
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, AsyncIterator, Awaitable, Callable, Sequence, TypeVar, Union

import discord
import discord.gateway
import discord.http
import yarl

from .server import FakeDiscord, GatewaySession

BotT = TypeVar("BotT", bound=discord.Client)
BotFactory = Callable[[], Union[BotT, Awaitable[BotT]]]

# Tasks discord.py creates for handlers; closing the bot under them gives "Session is closed".
HANDLER_TASK_PREFIXES = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
    "discord.py: ",
)


async def drain_handler_tasks(timeout: float = 5.0) -> list[str]:
    """Wait (bounded) for discord.py handler tasks; returns names of those still running."""
    current = asyncio.current_task()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        pending = [
            t for t in asyncio.all_tasks()
            if t is not current and not t.done() and t.get_name().startswith(HANDLER_TASK_PREFIXES)
        ]
        remaining = deadline - loop.time()
        if not pending or remaining <= 0:
            return [t.get_name() for t in pending]
        await asyncio.wait(pending, timeout=min(remaining, 0.5))


@asynccontextmanager
async def run_in_process(
    fake: FakeDiscord,
    factory: BotFactory[BotT],
    *,
    ready_timeout: float = 10.0,
    wait_until_ready: bool = True,
    close_timeout: float = 10.0,
) -> AsyncIterator[BotT]:
    """Start the bot from `factory()` against `fake` in this event loop; yield it once ready.

    Give the bot a small `guild_ready_timeout` (e.g. 0.1) or `on_ready` waits 2 s.
    `wait_until_ready=False` only waits for the gateway session (IDENTIFY + GUILD_CREATEs).
    """
    saved_base = discord.http.Route.BASE
    saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    bot: BotT | None = None
    task: asyncio.Task[None] | None = None
    try:
        made = factory()
        bot = await made if inspect.isawaitable(made) else made
        mark = len(fake.sessions)
        task = asyncio.create_task(bot.start(fake.token), name="loopback-bot")
        await _wait_or_fail(fake.wait_ready(after=mark, timeout=ready_timeout), task, ready_timeout,
                            "the bot did not identify and receive its guilds")
        if wait_until_ready:
            await _wait_or_fail(bot.wait_until_ready(), task, ready_timeout, "on_ready did not fire")
        yield bot
    finally:
        try:
            if bot is not None:
                await drain_handler_tasks(min(5.0, close_timeout))
                await asyncio.wait_for(bot.close(), close_timeout)
            if task is not None:
                await _finish(task, close_timeout)
        finally:
            discord.http.Route.BASE = saved_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway


async def _wait_or_fail(waiter: Awaitable[Any], task: asyncio.Task[None], timeout: float, what: str) -> None:
    """Wait for `waiter`, but fail at once with the bot's own exception if its task ends."""
    waiting = asyncio.ensure_future(waiter)
    done, _ = await asyncio.wait({waiting, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        waiting.result()
        return
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    if task in done:
        exc = task.exception()
        raise RuntimeError(f"{what}: the bot stopped early ({exc!r})") from exc
    raise TimeoutError(f"{what} within {timeout}s")


async def _finish(task: asyncio.Task[None], timeout: float) -> None:
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise TimeoutError(f"bot.start() did not return within {timeout}s of close()")
    exc = task.exception()
    if exc is not None:
        raise exc


@dataclass
class BotProcess:
    """A bot run as a separate process against `fake` (e.g. `.venv/bin/studybot run`).

    The environment is os.environ + `fake.bot_env()` + `env`; output (stdout and stderr) goes
    to `log_path`. Use `await start()`, then `await stop()` (SIGTERM) or `await kill()` (SIGKILL).
    """

    fake: FakeDiscord
    argv: Sequence[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: asyncio.subprocess.Process | None = None
    session: GatewaySession | None = None
    _log: IO[bytes] | None = None

    async def start(self, *, ready_timeout: float = 15.0, ready_line: str | None = None) -> GatewaySession:
        """Start the process and wait until its gateway session is ready (and, when given, a
        line matching the regex `ready_line` appeared in its output)."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.fake.bot_env(), **self.env}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")
        mark = len(self.fake.sessions)
        self.process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.DEVNULL, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
            env=env, cwd=str(self.cwd) if self.cwd else None,
        )
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await _wait_or_exit(self.fake.wait_ready(after=mark, timeout=ready_timeout + 1), exited,
                                ready_timeout, self)
            self.session = self.fake.sessions[mark] if len(self.fake.sessions) > mark else None
            if ready_line is not None:
                pattern = re.compile(ready_line)
                await _wait_or_exit(self._wait_for_line(pattern, ready_timeout), exited, ready_timeout, self)
        except BaseException:
            await self.kill()
            raise
        finally:
            exited.cancel()
        assert self.session is not None
        return self.session

    async def _wait_for_line(self, pattern: re.Pattern[str], timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not pattern.search(self.output()):
            if loop.time() > deadline:
                raise TimeoutError(f"no output line matching {pattern.pattern!r}")
            await asyncio.sleep(0.05)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    def output(self) -> str:
        """Everything the process printed so far."""
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    async def stop(self, *, timeout: float = 10.0) -> int:
        """SIGTERM, then wait; SIGKILL and raise TimeoutError when it does not exit in time."""
        return await self._signal(signal.SIGTERM, timeout)

    async def kill(self, *, timeout: float = 10.0) -> int:
        """SIGKILL (a crash as far as the bot can tell); returns the exit code (-9)."""
        return await self._signal(signal.SIGKILL, timeout)

    async def _signal(self, sig: signal.Signals, timeout: float) -> int:
        process = self.process
        if process is None:
            raise RuntimeError("the bot process was not started")
        if process.returncode is None:
            process.send_signal(sig)
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()
                self._close_log()
                raise TimeoutError(f"the bot did not exit within {timeout}s of {sig.name}; "
                                   f"output tail:\n{self.output()[-2000:]}") from None
        self._close_log()
        assert process.returncode is not None
        return process.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


async def _wait_or_exit(waiter: Awaitable[Any], exited: asyncio.Future[int], timeout: float,
                        bot: BotProcess) -> None:
    waiting = asyncio.ensure_future(waiter)
    done, _ = await asyncio.wait({waiting, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        waiting.result()
        return
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    if exited in done:
        raise RuntimeError(f"the bot process exited with {exited.result()} before it was ready; "
                           f"output:\n{bot.output()[-3000:]}")
    raise TimeoutError(f"the bot process was not ready within {timeout}s; output:\n{bot.output()[-3000:]}")


def python_argv(script: Path | str, *args: str) -> list[str]:
    """argv running `script` with this interpreter (the project's venv under pytest)."""
    return [sys.executable, str(script), *args]
