"""pytest fixtures for the loopback Discord.

Import them into a test module (`from tests.loopback.fixtures import fake_discord, start_bot`)
or register the module as a plugin (`pytest_plugins = ["tests.loopback.fixtures"]` in the root
conftest). `fake_discord` fails the test at teardown when any request broke Discord's limits or
the `allowed_mentions` policy; a test that provokes violations on purpose clears
`fake.violations` after checking them.

The fixture's fake is strict: Discord-like rate limits are on (`RateLimits()`) besides every
strict check of `FakeDiscord`. A test changes the fake's settings with the `loopback` marker,
whose keyword arguments go to `FakeDiscord(...)`:

    @pytest.mark.loopback(rate_limits=None, deferred_followup_edits=False)  # say why
    async def test_...(fake_discord): ...
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence

import discord
import pytest
import pytest_asyncio

from .client import BotFactory, BotProcess, run_in_process
from .ratelimits import RateLimits
from .server import FakeDiscord


def fake_discord_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The fixture's `FakeDiscord` keyword arguments: rate limits on, then the test's
    `@pytest.mark.loopback(...)` keywords."""
    settings: dict[str, Any] = {"rate_limits": RateLimits()}
    marker = request.node.get_closest_marker("loopback")
    if marker is not None:
        if marker.args:
            raise TypeError("@pytest.mark.loopback takes keyword arguments of FakeDiscord only")
        settings.update(marker.kwargs)
    return settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "loopback(**settings): FakeDiscord keyword arguments for fake_discord")


@pytest_asyncio.fixture
async def fake_discord(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord with one guild (admin + member); checked clean at teardown."""
    async with FakeDiscord(**fake_discord_settings(request)) as fake:
        yield fake
    fake.assert_clean()


@pytest_asyncio.fixture
async def start_bot(fake_discord: FakeDiscord) -> AsyncIterator[Callable[..., Awaitable[discord.Client]]]:
    """`bot = await start_bot(factory, **run_in_process_kwargs)`; closed at teardown."""
    async with AsyncExitStack() as stack:
        async def start(factory: BotFactory[Any], **kwargs: Any) -> discord.Client:
            return await stack.enter_async_context(run_in_process(fake_discord, factory, **kwargs))

        yield start


@pytest_asyncio.fixture
async def bot_process(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[Callable[..., BotProcess]]:
    """`proc = bot_process(argv, env={...})` then `await proc.start()`; any process still
    running at teardown is killed. Output goes to tmp_path/bot-<n>.log."""
    made: list[BotProcess] = []

    def make(argv: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> BotProcess:
        proc = BotProcess(fake_discord, list(argv), tmp_path / f"bot-{len(made)}.log", dict(env or {}), cwd)
        made.append(proc)
        return proc

    yield make
    for proc in made:
        if proc.process is not None and proc.returncode is None:
            await proc.kill()
