"""Run a slack-bolt `AsyncApp` against a `FakeSlack` in this event loop, over Socket Mode.

`async with bolt_in_process(fake, app) as handler:` connects bolt's `AsyncSocketModeHandler`
(slack_sdk's aiohttp Socket Mode client, which calls `apps.connections.open` on the fake) and
waits for the connection; on exit it closes the handler. `web_client(fake)` is an
`AsyncWebClient` on the fake's Web API with the bot token (pass `retry_handlers=[...]`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from .server import FakeSlack


def web_client(fake: FakeSlack, **kwargs: Any) -> AsyncWebClient:
    """slack_sdk's AsyncWebClient pointed at the fake (`base_url=fake.api_url`)."""
    return AsyncWebClient(token=kwargs.pop("token", fake.bot_token), base_url=fake.api_url, **kwargs)


def bolt_app(fake: FakeSlack, **kwargs: Any) -> AsyncApp:
    """An `AsyncApp` whose Web API client talks to the fake (auth.test included)."""
    return AsyncApp(client=web_client(fake), **kwargs)


@asynccontextmanager
async def bolt_in_process(fake: FakeSlack, app: AsyncApp, *, timeout: float = 10.0,
                          ping_interval: float = 10.0) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connect `app` to the fake over Socket Mode; yield the handler once the socket is open."""
    handler = AsyncSocketModeHandler(app, fake.app_token, ping_interval=ping_interval)
    already = len(fake.connections)
    await handler.connect_async()
    try:
        await fake.wait_for(lambda: len(fake.connections) > already and fake.open_connections(),
                            timeout=timeout, what="the bolt app's Socket Mode connection")
        yield handler
    finally:
        await handler.close_async()
